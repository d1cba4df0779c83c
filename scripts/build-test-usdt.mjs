// Regenerates test/fixtures/TestUSDT.json from test/fixtures/TestUSDT.sol with the pinned `solc` npm
// package (the JS/wasm compiler: nothing is downloaded). Run: node scripts/build-test-usdt.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const solc = require('solc');
const root = new URL('..', import.meta.url).pathname;
const source = readFileSync(`${root}test/fixtures/TestUSDT.sol`, 'utf8');
const input = {
  language: 'Solidity',
  sources: { 'TestUSDT.sol': { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'paris',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
if (errors.length) {
  console.error(errors.map((e) => e.formattedMessage).join('\n'));
  process.exit(1);
}
const c = out.contracts['TestUSDT.sol'].TestUSDT;
const artifact = {
  contractName: 'TestUSDT',
  compiler: `solc ${solc.version()}`,
  abi: c.abi,
  bytecode: `0x${c.evm.bytecode.object}`,
};
writeFileSync(`${root}test/fixtures/TestUSDT.json`, `${JSON.stringify(artifact, null, 2)}\n`);
console.log(`wrote test/fixtures/TestUSDT.json (${artifact.compiler})`);
