// Pix keys (src/domain/pix-key.ts): every accountType, its normalisation, and each way a key can be wrong with
// its own catalog code (issue 11, shared/spec M2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { TenderError, type ErrorCode } from '../src/domain/errors.js';
import {
  BRAZIL_AREA_CODES,
  cnpjCheckDigits,
  cpfCheckDigits,
  maskPixKey,
  parsePixKey,
  type PixKey,
} from '../src/domain/pix-key.js';

const refused = (accountType: string, toAccount: string, code: ErrorCode) =>
  assert.throws(
    () => parsePixKey(accountType, toAccount),
    (e: unknown) => {
      assert.ok(e instanceof TenderError, String(e));
      assert.equal(e.code, code, `${accountType}/${toAccount}: ${e.message}`);
      assert.ok(!e.message.includes(toAccount.trim()) || toAccount.trim() === '', 'the key is not echoed');
      return true;
    },
  );
const key = (accountType: string, toAccount: string): PixKey => parsePixKey(accountType, toAccount);

test('issue 11: CPF check digits follow Receita Federal (known numbers)', () => {
  assert.equal(cpfCheckDigits('529982247'), '25');
  assert.equal(cpfCheckDigits('000000001'), '91');
  assert.equal(cpfCheckDigits('111444777'), '35');
});

test('issue 11: a CPF is accepted bare or with its mask and stored bare', () => {
  for (const t of ['52998224725', '529.982.247-25', ' 529.982.247-25 ']) {
    const k = key('1', t);
    assert.equal(k.type, 'cpf');
    assert.equal(k.reveal(), '52998224725');
  }
});

test('issue 11: a CPF with a wrong check digit is PIX_CPF_INVALID (10053), each digit position', () => {
  refused('1', '52998224724', 'PIX_CPF_INVALID'); // second digit wrong
  refused('1', '52998224715', 'PIX_CPF_INVALID'); // first digit wrong
  refused('1', '52998224752', 'PIX_CPF_INVALID'); // swapped
  refused('1', '529.982.247-26', 'PIX_CPF_INVALID');
});

test('issue 11: an all-same-digit CPF is PIX_CPF_INVALID though its check digits add up', () => {
  for (let d = 0; d <= 9; d++) {
    const cpf = String(d).repeat(11);
    assert.equal(cpfCheckDigits(cpf.slice(0, 9)), cpf.slice(9), 'the arithmetic alone would accept it');
    refused('1', cpf, 'PIX_CPF_INVALID');
  }
});

test('issue 11: numeric CNPJs are checked and stored bare', () => {
  assert.equal(cnpjCheckDigits('112223330001'), '81');
  assert.equal(key('1', '11.222.333/0001-81').reveal(), '11222333000181');
  assert.equal(key('1', '11222333000181').type, 'cnpj');
  assert.equal(key('1', '00000000000191').reveal(), '00000000000191');
  refused('1', '11222333000182', 'PIX_CNPJ_INVALID');
  refused('1', '11.222.333/0001-91', 'PIX_CNPJ_INVALID');
  refused('1', '00000000000000', 'PIX_CNPJ_INVALID');
  refused('1', '77777777777777', 'PIX_CNPJ_INVALID');
});

test('issue 11: alphanumeric CNPJ (Receita Federal, July 2026): letters worth ASCII - 48', () => {
  // SERPRO's worked example: 12.ABC.345/01DE-35.
  assert.equal(cnpjCheckDigits('12ABC34501DE'), '35');
  for (const t of ['12ABC34501DE35', '12.ABC.345/01DE-35', '12abc34501de35', '12.abc.345/01de-35']) {
    const k = key('1', t);
    assert.equal(k.type, 'cnpj', t);
    assert.equal(k.reveal(), '12ABC34501DE35');
  }
  refused('1', '12ABC34501DE36', 'PIX_CNPJ_INVALID');
  refused('1', '12ABC34501DF35', 'PIX_CNPJ_INVALID'); // a letter changed
  // The check digits stay numeric: a letter there is not a CNPJ at all.
  refused('1', '12ABC34501DE3A', 'PIX_TAX_ID_INVALID');
});

test('issue 11: a tax id that is neither CPF nor CNPJ shaped is PIX_TAX_ID_INVALID (10052)', () => {
  for (const t of [
    '5299822472', // 10 digits
    '529982247250', // 12
    '112223330001811', // 15
    '529-982-247.25', // not the mask
    '529.982.24725',
    '11222333/0001-81',
    '5299822472a',
    '１１２２２３３３０００１８１', // full-width digits
    'A'.repeat(129),
  ])
    refused('1', t, 'PIX_TAX_ID_INVALID');
});

test('issue 11: e-mail keys: accepted forms are stored lower case', () => {
  assert.equal(key('2', 'Maria.Silva+pix@Example.COM.br').reveal(), 'maria.silva+pix@example.com.br');
  assert.equal(key('2', 'a@b.co').reveal(), 'a@b.co');
  assert.equal(key('2', "o'neil_x-y@sub-1.example.org").type, 'email');
  assert.equal(key('2', `${'a'.repeat(64)}@examples.com`).reveal().length, 77); // DICT's limit exactly
});

test('issue 11: e-mail keys: each malformed address is PIX_EMAIL_INVALID (10055)', () => {
  for (const t of [
    'plainaddress',
    '@example.com',
    'user@',
    'user@example',
    'user@@example.com',
    'us er@example.com',
    '.user@example.com',
    'user.@example.com',
    'us..er@example.com',
    'user@-example.com',
    'user@example-.com',
    'user@example..com',
    'user@example.c',
    'user@example.123',
    'user@[192.168.0.1]',
    '"quoted"@example.com',
    'usér@example.com',
    `${'a'.repeat(65)}@example.com`, // local part above 64
    `${'a'.repeat(60)}@${'b'.repeat(13)}.com`, // 78 characters: above DICT's 77
  ])
    refused('2', t, 'PIX_EMAIL_INVALID');
});

test('issue 11: phone keys: +55, area code and number, separators dropped, stored E.164', () => {
  assert.equal(key('3', '+5511987654321').reveal(), '+5511987654321');
  assert.equal(key('3', '+55 (11) 98765-4321').reveal(), '+5511987654321');
  assert.equal(key('3', '+55 21 3456-7890').reveal(), '+552134567890'); // landline, 8 digits
  assert.equal(key('3', '+55.99.91234.5678').reveal(), '+5599912345678');
});

test('issue 11: phone keys without +55 are PIX_PHONE_NOT_BRAZILIAN (10056)', () => {
  for (const t of ['11987654321', '5511987654321', '+15551234567', '+351912345678', '0055 11 98765-4321', '+4'])
    refused('3', t, 'PIX_PHONE_NOT_BRAZILIAN');
});

test('issue 11: every DDD edge: the 67 area codes in use pass, every other two-digit code is PIX_PHONE_AREA_CODE_INVALID', () => {
  assert.equal(BRAZIL_AREA_CODES.size, 67);
  let valid = 0;
  for (let ddd = 10; ddd <= 99; ddd++) {
    const t = `+55${ddd}987654321`;
    if (BRAZIL_AREA_CODES.has(ddd)) {
      assert.equal(key('3', t).reveal(), t);
      valid++;
    } else refused('3', t, 'PIX_PHONE_AREA_CODE_INVALID');
  }
  assert.equal(valid, 67);
  for (const ddd of [10, 20, 23, 25, 26, 29, 30, 36, 39, 40, 50, 52, 56, 57, 58, 59, 60, 70, 72, 76, 78, 80, 90])
    assert.ok(!BRAZIL_AREA_CODES.has(ddd), `${ddd} is not in use`);
  refused('3', '+5500987654321', 'PIX_PHONE_AREA_CODE_INVALID');
  refused('3', '+5501987654321', 'PIX_PHONE_AREA_CODE_INVALID');
});

test('issue 11: phone numbers of the wrong length or kind are PIX_PHONE_NUMBER_INVALID (10058)', () => {
  for (const t of [
    '+5511887654321', // 9 digits not starting with 9
    '+551198765432', // 8 digits starting with 9: an old mobile number without its ninth digit
    '+551168765432', // 8 digits starting with 6
    '+551112345678', // 8 digits starting with 1
    '+55119876543210', // 10 digits
    '+551198765', // too short
    '+55119876543a1',
    '+55 11 9876_54321',
  ])
    refused('3', t, 'PIX_PHONE_NUMBER_INVALID');
});

test('issue 11: random keys: a canonical UUID v4 (any case) is stored lower case', () => {
  assert.equal(key('4', '123e4567-e89b-42d3-a456-426614174000').reveal(), '123e4567-e89b-42d3-a456-426614174000');
  assert.equal(key('4', '123E4567-E89B-42D3-A456-426614174000').reveal(), '123e4567-e89b-42d3-a456-426614174000');
  for (const v of ['8', '9', 'a', 'b'])
    assert.equal(key('4', `00000000-0000-4000-${v}000-000000000000`).type, 'random');
});

test('issue 11: random keys in any other form are PIX_RANDOM_KEY_INVALID (10059)', () => {
  for (const t of [
    '123e4567e89b42d3a456426614174000', // no hyphens
    '{123e4567-e89b-42d3-a456-426614174000}',
    'urn:uuid:123e4567-e89b-42d3-a456-426614174000',
    '123e4567-e89b-12d3-a456-426614174000', // version 1
    '123e4567-e89b-72d3-a456-426614174000', // version 7
    '123e4567-e89b-42d3-c456-426614174000', // variant not RFC 9562
    '00000000-0000-0000-0000-000000000000', // nil
    '123e4567-e89b-42d3-a456-42661417400', // short
    '123e4567-e89b-42d3-a456-4266141740000', // long
    '123g4567-e89b-42d3-a456-426614174000',
    '123e4567-e89b-42d3-a456_426614174000',
  ])
    refused('4', t, 'PIX_RANDOM_KEY_INVALID');
});

test('issue 11: accountType outside 1-4 is PIX_ACCOUNT_TYPE_INVALID (10051)', () => {
  for (const t of ['0', '5', '9', '01', '1.0', 'a', 'cpf', ' 1', '-1', '12'])
    refused(t, '52998224725', 'PIX_ACCOUNT_TYPE_INVALID');
});

test("issue 11: a key of one type given under another type is refused with that type's code", () => {
  refused('1', 'maria@example.com', 'PIX_TAX_ID_INVALID');
  refused('2', '52998224725', 'PIX_EMAIL_INVALID');
  refused('3', '52998224725', 'PIX_PHONE_NOT_BRAZILIAN');
  refused('4', '+5511987654321', 'PIX_RANDOM_KEY_INVALID');
});

test("issue 11: toAccount above 128 characters is refused with the type's code", () => {
  refused('1', '1'.repeat(129), 'PIX_TAX_ID_INVALID');
  refused('2', `${'a'.repeat(120)}@example.com`, 'PIX_EMAIL_INVALID');
  refused('3', `+55${'1'.repeat(126)}`, 'PIX_PHONE_NUMBER_INVALID');
  refused('4', 'a'.repeat(129), 'PIX_RANDOM_KEY_INVALID');
});

test('issue 11: a Pix key prints masked in JSON, inspect, String and template text', () => {
  const cases: [string, string, string][] = [
    ['1', '52998224725', '***.982.247-**'],
    ['2', 'maria.silva@example.com', 'm***@example.com'],
    ['3', '+5511987654321', '+5511*****4321'],
    ['4', '123e4567-e89b-42d3-a456-426614174000', '123e****-****-****-****-********4000'],
  ];
  for (const [type, value, masked] of cases) {
    const k = key(type, value);
    assert.equal(k.masked(), masked);
    for (const shown of [JSON.stringify({ k }), inspect({ k }), String(k), `${k}`, inspect(k, { depth: 5 })]) {
      assert.ok(!shown.includes(value), shown);
      assert.ok(shown.includes(masked), shown);
    }
  }
  assert.equal(maskPixKey('cnpj', '12ABC34501DE35'), '12.ABC.345/****-**');
});

test('issue 11: non-ASCII look-alikes never fold into a valid key (ſ, ß, Kelvin sign, full-width)', () => {
  refused('1', '12ABC34501DE35'.replace('C', 'ſ'), 'PIX_TAX_ID_INVALID'); // 'ſ'.toUpperCase() is 'S'
  refused('1', '12ABß4501DE35', 'PIX_TAX_ID_INVALID'); // 'ß'.toUpperCase() is 'SS': 13 characters would become 14
  refused('2', 'user@\u212Aexample.com', 'PIX_EMAIL_INVALID'); // Kelvin sign: toLowerCase() gives 'k'
  refused('2', '\u212A@example.com', 'PIX_EMAIL_INVALID');
  refused('4', '123e4567-e89b-42d3-a456-42661417400\uFF10', 'PIX_RANDOM_KEY_INVALID');
});
