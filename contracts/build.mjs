// Compiles src/TraceAnchor.sol with the pinned solc-js and writes the artifact the Python side
// loads. The output is a pure function of the source, the pinned packages and SETTINGS, so a
// rebuild is byte-identical to the committed file (tests/integration/chain/test_contract_build.py).
//
//   node build.mjs                  writes build/TraceAnchor.json and ../trace/anchor/abi/TraceAnchor.json
//   node build.mjs --out FILE ...   writes only the given file(s)
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const CONTRACT = "TraceAnchor";
const SOURCE_UNIT = `src/${CONTRACT}.sol`;
const DEFAULT_OUTPUTS = [
  join(HERE, "build", `${CONTRACT}.json`),
  join(HERE, "..", "trace", "anchor", "abi", `${CONTRACT}.json`),
];

// Paris (no PUSH0, no MCOPY): the bytecode then runs on any post-Merge chain, including
// permissioned Besu/Geth networks that have not enabled Shanghai, as well as on py-evm and anvil.
const SETTINGS = {
  evmVersion: "paris",
  optimizer: { enabled: true, runs: 200 },
};

function outputsFromArgs(argv) {
  const outputs = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1]) outputs.push(resolve(argv[++i]));
    else {
      console.error(`usage: node build.mjs [--out FILE]...  (unexpected: ${argv[i]})`);
      process.exit(2);
    }
  }
  return outputs.length ? outputs : DEFAULT_OUTPUTS;
}

// Imports such as "@openzeppelin/contracts/..." are package paths: resolve them in node_modules.
// Source unit names stay package-relative, so the metadata hash in the bytecode does not depend
// on where the repository is checked out.
function findImports(path) {
  try {
    return { contents: readFileSync(require.resolve(path), "utf8") };
  } catch (err) {
    return { error: `cannot resolve import ${path}: ${err.message}` };
  }
}

function compile(source) {
  const input = {
    language: "Solidity",
    sources: { [SOURCE_UNIT]: { content: source } },
    settings: {
      ...SETTINGS,
      outputSelection: {
        [SOURCE_UNIT]: { [CONTRACT]: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] },
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const diagnostics = output.errors ?? [];
  for (const d of diagnostics) process.stderr.write(d.formattedMessage ?? `${d.severity}: ${d.message}\n`);
  // Warnings fail the build too: the contract is small enough to keep warning-free.
  if (diagnostics.length) {
    console.error(`build.mjs: solc reported ${diagnostics.length} diagnostic(s); nothing written`);
    process.exit(1);
  }
  return output.contracts[SOURCE_UNIT][CONTRACT];
}

const source = readFileSync(join(HERE, SOURCE_UNIT), "utf8");
const contract = compile(source);
const artifact = {
  contractName: CONTRACT,
  abi: contract.abi,
  bytecode: `0x${contract.evm.bytecode.object}`,
  deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
  compiler: { name: "solc", version: solc.version(), settings: SETTINGS },
  sourceHash: createHash("sha256").update(source).digest("hex"),
};
const text = `${JSON.stringify(artifact, null, 2)}\n`;
for (const out of outputsFromArgs(process.argv.slice(2))) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
