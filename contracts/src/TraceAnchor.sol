// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title TraceAnchor
/// @notice Anchors Merkle roots of batches of GS1 CBV 2.0 event hashes, and registers the addresses
/// organisations sign their events with, so that anyone holding an event, its proof and this
/// contract's address can check the record without trusting the server that stored it.
/// @dev Trees are OpenZeppelin StandardMerkleTree trees of single `bytes32` values: the same proof
/// verifies here and with the OpenZeppelin merkle-tree library off chain.
contract TraceAnchor is AccessControl {
    /// @notice May anchor roots: the service's batching key, kept apart from the admin key.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");
    /// @notice May register and revoke organisations' signing addresses.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    struct Anchor {
        uint64 blockNumber;
        uint64 timestamp;
        uint32 leafCount;
        address submitter; // never zero once anchored (msg.sender), so it marks existence
    }

    struct Signer {
        bytes32 organisation;
        bool active;
        uint64 registeredAt; // block timestamp; non-zero marks "was ever registered"
        uint64 revokedAt; // block timestamp; zero while active
    }

    mapping(bytes32 root => Anchor) private _anchors;
    mapping(address signer => Signer) private _signers;

    event Anchored(
        bytes32 indexed root,
        address indexed submitter,
        uint32 leafCount,
        uint64 blockNumber,
        uint64 timestamp
    );
    event SignerRegistered(address indexed signer, bytes32 indexed organisation);
    event SignerRevoked(address indexed signer, bytes32 indexed organisation);

    error ZeroRoot();
    error ZeroLeafCount();
    error RootAlreadyAnchored(bytes32 root);
    error ZeroSignerAddress();
    error ZeroOrganisation();
    error SignerAlreadyRegistered(address signer);
    error SignerNotRegistered(address signer);
    error SignerAlreadyRevoked(address signer);

    /// @dev The deployer holds every role so that a fresh deployment (tests, anvil, a pilot) works
    /// at once; a production admin grants the roles to separate keys and renounces its own.
    constructor() {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
        _grantRole(ANCHORER_ROLE, msg.sender);
        _grantRole(REGISTRAR_ROLE, msg.sender);
    }

    /// @notice Records that a batch with this Merkle root existed at this block.
    /// @dev A root is anchored once: re-anchoring would move its timestamp, which is the evidence.
    function anchor(bytes32 root, uint32 leafCount) external onlyRole(ANCHORER_ROLE) {
        if (root == bytes32(0)) revert ZeroRoot();
        if (leafCount == 0) revert ZeroLeafCount();
        if (_anchors[root].submitter != address(0)) revert RootAlreadyAnchored(root);

        uint64 blockNumber = uint64(block.number);
        uint64 timestamp = uint64(block.timestamp);
        _anchors[root] = Anchor(blockNumber, timestamp, leafCount, msg.sender);
        emit Anchored(root, msg.sender, leafCount, blockNumber, timestamp);
    }

    /// @notice Where and when a root was anchored; all zeros for a root never anchored.
    function anchorOf(bytes32 root)
        external
        view
        returns (uint64 blockNumber, uint64 timestamp, address submitter, uint32 leafCount)
    {
        Anchor storage a = _anchors[root];
        return (a.blockNumber, a.timestamp, a.submitter, a.leafCount);
    }

    function isAnchored(bytes32 root) public view returns (bool) {
        return _anchors[root].submitter != address(0);
    }

    /// @notice Registers the address an organisation signs its events with.
    /// @dev An address is registered once, ever: a revoked (perhaps leaked) key must not come back
    /// and make signatures from its revoked period look valid. Rotate to a new address instead.
    function registerSigner(address signer, bytes32 organisation) external onlyRole(REGISTRAR_ROLE) {
        if (signer == address(0)) revert ZeroSignerAddress();
        if (organisation == bytes32(0)) revert ZeroOrganisation();
        if (_signers[signer].registeredAt != 0) revert SignerAlreadyRegistered(signer);

        _signers[signer] = Signer(organisation, true, uint64(block.timestamp), 0);
        emit SignerRegistered(signer, organisation);
    }

    /// @notice Revokes a signing address; signatures made before `revokedAt` stay attributable.
    function revokeSigner(address signer) external onlyRole(REGISTRAR_ROLE) {
        Signer storage s = _signers[signer];
        if (s.registeredAt == 0) revert SignerNotRegistered(signer);
        if (!s.active) revert SignerAlreadyRevoked(signer);

        s.active = false;
        s.revokedAt = uint64(block.timestamp);
        emit SignerRevoked(signer, s.organisation);
    }

    /// @notice The organisation behind a signing address; all zeros for an unknown address.
    function signerOf(address signer)
        external
        view
        returns (bytes32 organisation, bool active, uint64 registeredAt, uint64 revokedAt)
    {
        Signer storage s = _signers[signer];
        return (s.organisation, s.active, s.registeredAt, s.revokedAt);
    }

    /// @notice True iff `root` is anchored and `proof` places `eventHash` in its tree.
    /// @dev The leaf is StandardMerkleTree's, hashed twice so that no leaf encoding can be confused
    /// with an inner node; proofs made by the OpenZeppelin merkle-tree library verify here.
    function verifyEvent(bytes32 root, bytes32 eventHash, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        if (!isAnchored(root)) return false;
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(eventHash))));
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }
}
