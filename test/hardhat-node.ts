// A real local EVM node for payout tests and benches: `hardhat node` (npm) bound to 127.0.0.1 on a free port,
// with the 6-decimal TestUSDT deployed from the committed artifact (test/fixtures/TestUSDT.json) by hardhat's
// first development account, which also funds hot wallets. Automining is turned OFF once the token is
// deployed, so transactions wait in the node's mempool until `mine` is called: a payout test can then hold
// a transaction unmined, queue one behind a missing nonce, or land twenty in one block.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createPublicClient, createWalletClient, encodeFunctionData, http, type Abi, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hardhat } from 'viem/chains';
import { freePort, until } from './harness.js';
import { projectPath } from '../src/paths.js';

/** Hardhat's first development account (a well-known public test key, funded with 10,000 ETH). */
export const HARDHAT_FUNDER = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
export const HARDHAT_CHAIN_ID = 31337;

const artifact = JSON.parse(readFileSync(projectPath('test/fixtures/TestUSDT.json'), 'utf8')) as {
  abi: Abi;
  bytecode: Hex;
};

export interface HardhatNode {
  url: string;
  /** The TestUSDT contract (6 decimals; the funder holds the whole supply of 10^9 USDT). */
  token: Hex;
  rpc(method: string, params?: unknown[]): Promise<any>;
  /** Mines `n` blocks; the first takes what the mempool holds (in nonce order per sender). */
  mine(n: number): Promise<void>;
  /** Sends ETH or USDT from the funder and mines it into a block. */
  fund(to: string, asset: 'ETH' | 'USDT', amount: bigint): Promise<void>;
  ethBalance(address: string): Promise<bigint>;
  usdtBalance(address: string): Promise<bigint>;
  stop(): Promise<void>;
}

export async function startHardhatNode(): Promise<HardhatNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const node: ChildProcess = spawn(
    process.execPath,
    [
      projectPath('node_modules/hardhat/internal/cli/cli.js'),
      '--config',
      projectPath('test/fixtures/hardhat.config.cjs'),
      'node',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    {
      cwd: projectPath('.'),
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (c: Buffer) => {
    log = (log + c).slice(-4000);
  };
  node.stdout!.on('data', keep);
  node.stderr!.on('data', keep);

  async function rpc(method: string, params: unknown[] = []): Promise<any> {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const j = (await r.json()) as { result?: unknown; error?: { message: string } };
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result;
  }
  async function stop(): Promise<void> {
    if (node.exitCode !== null || node.signalCode !== null) return;
    node.kill('SIGTERM');
    await new Promise((r) => {
      node.once('exit', r);
      setTimeout(r, 5000);
    });
  }
  try {
    await until(
      'the hardhat node',
      () =>
        rpc('eth_blockNumber').then(
          () => true,
          () => false,
        ),
      60_000,
    );
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  const pub = createPublicClient({ chain: hardhat, transport: http(url) });
  const wallet = createWalletClient({ chain: hardhat, transport: http(url), account: HARDHAT_FUNDER });
  const deploy = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [10n ** 15n] });
  const token = (await pub.waitForTransactionReceipt({ hash: deploy })).contractAddress!;
  await rpc('evm_setAutomine', [false]);

  const mine = async (n: number) => {
    await rpc('hardhat_mine', [`0x${n.toString(16)}`]);
  };
  return {
    url,
    token,
    rpc,
    mine,
    async fund(to, asset, amount) {
      const hash =
        asset === 'ETH'
          ? await wallet.sendTransaction({ to: to as Hex, value: amount })
          : await wallet.sendTransaction({
              to: token,
              data: encodeFunctionData({ abi: artifact.abi, functionName: 'transfer', args: [to, amount] }),
            });
      await mine(1);
      const receipt = await pub.getTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`funding ${to} with ${asset} reverted`);
    },
    ethBalance: (address) => pub.getBalance({ address: address as Hex }),
    usdtBalance: async (address) =>
      (await pub.readContract({
        address: token,
        abi: artifact.abi,
        functionName: 'balanceOf',
        args: [address],
      })) as bigint,
    stop,
  };
}
