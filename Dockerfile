# Tender's container image: `docker build -t tender .`, then one container per role:
#   docker run -e DATABASE_URL=... -e TENDER_MODE=live -e TENDER_MASTER_KEY=... -p 8080:8080 tender serve
#   docker run -e DATABASE_URL=... -e TENDER_MODE=live -e TENDER_MASTER_KEY=... tender worker
# DATABASE_URL is required in a container (the embedded PostgreSQL is for a single machine); see
# docs/deployment.md. The tests never build this image.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY sdk ./sdk
COPY bin ./bin
COPY bench ./bench
COPY test ./test
COPY docs ./docs
COPY README.md ./
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 TENDER_DATA_DIR=/var/lib/tender
RUN useradd --system --home /var/lib/tender --create-home tender
WORKDIR /opt/tender
# The whole pruned tree: migrations, static assets and docs are read from beside dist/ (src/paths.ts).
COPY --from=build /src ./
USER tender
EXPOSE 8080
ENTRYPOINT ["node", "/opt/tender/bin/tender.mjs"]
CMD ["serve"]
