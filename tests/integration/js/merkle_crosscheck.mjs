// Cross-checks tracechain's Python Merkle trees against @openzeppelin/merkle-tree.
//
// Usage: node merkle_crosscheck.mjs <contracts dir>  < {"values", "root", "proofs", "dump"}
// values: 0x-hex bytes32 event hashes; root and proofs: what tracechain.domain.merkle made of them;
// dump: our MerkleTree.dump(). Prints one JSON object with what OpenZeppelin makes of the same.
// The library is loaded from <contracts dir>/node_modules, the one copy the repository pins.
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.argv[2], "package.json"));
const { StandardMerkleTree } = require("@openzeppelin/merkle-tree");

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { values, root, proofs, dump } = JSON.parse(input);

const encoding = ["bytes32"];
const tree = StandardMerkleTree.of(values.map((v) => [v]), encoding);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const rejected = []; // indices of our proofs OpenZeppelin does not accept
const differentProofs = []; // indices where OpenZeppelin's own proof differs from ours
let wrongAccepted = 0; // our proof of value i accepted for value i+1: would make the check vacuous
values.forEach((v, i) => {
  if (!StandardMerkleTree.verify(root, encoding, [v], proofs[i])) rejected.push(i);
  if (!same(tree.getProof(i), proofs[i])) differentProofs.push(i);
  const other = values[(i + 1) % values.length];
  if (other !== v && StandardMerkleTree.verify(root, encoding, [other], proofs[i])) wrongAccepted++;
});

let loadedRoot; // StandardMerkleTree.load validates every node: report, rather than crash on, a bad one
try {
  loadedRoot = StandardMerkleTree.load(dump).root;
} catch (error) {
  loadedRoot = `load failed: ${error.message}`;
}

console.log(JSON.stringify({
  ozRoot: tree.root,
  rootMatches: tree.root === root,
  checked: values.length,
  rejected,
  differentProofs,
  wrongAccepted,
  dumpMatches: same(tree.dump(), dump),
  loadedRoot,
}));
