// submitKYC (seed 001 §11, shared/spec M6) for the contract: its parameters and its answer's data. `data` is only
// described here: src/domain/kyc-record.ts reads it and answers the KYC_* codes that name the record and field.
import { Type } from '@sinclair/typebox';
import { CreateTime } from './schemas.js';

const RECORD_FIELDS =
  'userId, firstName, middleName, lastName, birthday (or brithday, YYYY-MM-DD), gender (male/female), ' +
  'country (ISO 3166-1 alpha-2), iddCode, personalCode, certificateDateStart, certificateDateEnd, ' +
  'idCardUrls (or IdCardUrls), documentUrls, email, mobile';

export const KycParams = Type.Object({
  data: Type.Optional(
    Type.String({
      description: `a JSON array of 1-1000 KYC records as text, signed as sent; each record: ${RECORD_FIELDS}`,
    }),
  ),
  count: Type.Optional(Type.String({ description: 'optional: how many records data holds (informational)' })),
  createTime: CreateTime,
});

/** A JSON body may carry `data` as the array itself; it is signed as the raw JSON text of that array. */
export const KycJsonParams = Type.Object({
  data: Type.Optional(
    Type.Union([Type.String(), Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 1000 })], {
      description:
        'the KYC records (1-1000), an array or its JSON text, signed as the raw JSON text sent; ' +
        `each: ${RECORD_FIELDS}`,
    }),
  ),
  count: Type.Optional(Type.String({ description: 'optional: how many records data holds (informational)' })),
  createTime: CreateTime,
});

export const KycData = Type.Object({
  count: Type.Integer({ minimum: 1, maximum: 1000, description: 'records accepted (all of them: all or nothing)' }),
});
