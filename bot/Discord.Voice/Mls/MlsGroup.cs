using System.Security.Cryptography;
using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Schedule;
using DiscordLedgerBot.Voice.Mls.Tree;

namespace DiscordLedgerBot.Voice.Mls;

/// <summary>
/// An MLS group (RFC 9420, ciphersuite 2) from one member's point of view, restricted to what DAVE needs:
/// PublicMessage handshakes, Add/Remove proposals by reference, commits with optional UpdatePath, Welcome with the
/// ratchet_tree extension, and the MLS exporter. Every operation either fully succeeds or leaves the state unchanged.
/// Not thread-safe: callers serialize access (one voice session drives one group).
/// </summary>
public sealed class MlsGroup
{
    private readonly MlsMember _self;
    private readonly List<CachedProposal> _proposals = [];
    private readonly Dictionary<string, byte[]> _externalPsks;

    // Resumption PSKs of the epochs this member has seen (RFC 9420 §8.6), for PSK proposals that reference them.
    private readonly Dictionary<ulong, byte[]> _resumptionPsks = [];
    private EpochState _state;
    private PendingCommit? _pending;

    private MlsGroup(MlsMember self, EpochState state, Dictionary<string, byte[]>? externalPsks = null)
    {
        _self = self;
        _state = state;
        _externalPsks = externalPsks ?? [];
        _resumptionPsks[state.Context.Epoch] = state.Secrets.ResumptionPsk;
    }

    public byte[] GroupId => (byte[])_state.Context.GroupId.Clone();

    public ulong Epoch => _state.Context.Epoch;

    /// <summary>The epoch_authenticator of the current epoch (DAVE: source of the voice privacy code).</summary>
    public byte[] EpochAuthenticator => (byte[])_state.Secrets.EpochAuthenticator.Clone();

    public uint OwnLeafIndex => _state.OwnLeaf;

    public bool HasPendingCommit => _pending is not null;

    public IReadOnlyList<LeafInfo> Members =>
        [.. _state.Tree.Leaves().Select(l => new LeafInfo(l.Index, l.Leaf.Credential.Identity, l.Leaf.SignatureKey))];

    public IReadOnlyList<ExternalSender> ExternalSenders => _state.ExternalSenders();

    internal EpochState State => _state;

    /// <summary>A one-member group in epoch 0 whose only group extension is external_senders = [<paramref name="externalSender"/>].</summary>
    public static MlsGroup CreatePending(MlsMember self, byte[] groupId, ExternalSender externalSender)
    {
        var keyPackage = KeyPackage.Parse(self.CreateKeyPackage());
        var secrets = self.KeyPackageSecretsFor(keyPackage.ToBytes());
        self.ForgetKeyPackage(keyPackage);
        var tree = RatchetTree.SingleLeaf(keyPackage.LeafNode);
        var context = GroupContext.Create(groupId, 0, tree.TreeHash(), [], [ExternalSender.ToExtension([externalSender])]);

        // RFC 9420 §11: the creator starts the key schedule from a random init secret and a zero commit secret.
        var joiner = EpochSecrets.DeriveJoinerSecret(RandomNumberGenerator.GetBytes(MlsCipherSuite.HashLength), EpochSecrets.ZeroSecret, context.ToBytes());
        var epochSecrets = EpochSecrets.FromJoinerSecret(joiner, EpochSecrets.ZeroSecret, context.ToBytes());
        var interim = TranscriptHash.Interim([], epochSecrets.ConfirmationTag([]));
        var keys = new Dictionary<uint, (byte[], byte[])> { [0] = (secrets.EncryptionPrivateKey, keyPackage.LeafNode.EncryptionKey) };
        return new MlsGroup(self, new EpochState(context, tree, epochSecrets, interim, 0, keys));
    }

    /// <summary>
    /// Joins from a bare Welcome encrypted to <paramref name="keyPackageUsed"/> (created by <paramref name="self"/>).
    /// The GroupInfo must carry the ratchet_tree extension. When <paramref name="expectedExternalSender"/> is given, the
    /// group must have exactly that one external sender (DAVE rule).
    /// </summary>
    public static MlsGroup JoinFromWelcome(MlsMember self, ReadOnlySpan<byte> welcome, ReadOnlySpan<byte> keyPackageUsed, ExternalSender? expectedExternalSender = null)
    {
        var keyPackageSecrets = self.KeyPackageSecretsFor(keyPackageUsed);
        var group = Join(self, Welcome.Parse(welcome), keyPackageSecrets, null, new Dictionary<string, byte[]>());
        if (expectedExternalSender is not null)
        {
            var senders = group.ExternalSenders;
            if (senders.Count != 1 || !senders[0].SameAs(expectedExternalSender))
            {
                throw new MlsException("The group's external_senders extension does not hold exactly the expected external sender.");
            }
        }

        self.ForgetKeyPackage(keyPackageSecrets.KeyPackage);
        return group;
    }

    /// <summary>
    /// RFC 9420 §12.4.3.1 join. <paramref name="ratchetTree"/> is used only when the GroupInfo has no ratchet_tree
    /// extension; <paramref name="externalPsks"/> maps hex(psk_id) → psk.
    /// </summary>
    internal static MlsGroup Join(MlsMember self, Welcome welcome, MlsMember.KeyPackageSecrets keyPackage, IReadOnlyList<TreeNode?>? ratchetTree, IReadOnlyDictionary<string, byte[]> externalPsks)
    {
        var (groupSecrets, groupInfo, pskSecret) = OpenWelcome(welcome, keyPackage.KeyPackage, keyPackage.InitPrivateKey, externalPsks);
        var context = groupInfo.GroupContext;
        if (context.Version != MlsCipherSuite.ProtocolVersion || context.CipherSuite != MlsCipherSuite.Id)
        {
            throw new MlsException($"GroupInfo is for version {context.Version} / ciphersuite {context.CipherSuite}.");
        }

        var treeExtension = groupInfo.Extensions.FirstOrDefault(e => e.Type == ExtensionType.RatchetTree);
        var nodes = treeExtension is not null ? TreeNode.DecodeRatchetTree(treeExtension.Data)
            : ratchetTree ?? throw new MlsException("The Welcome has no ratchet_tree extension and no tree was supplied.");
        var tree = RatchetTree.FromNodes(nodes);
        if (!tree.TreeHash().AsSpan().SequenceEqual(context.TreeHash))
        {
            throw new MlsVerificationException("The ratchet tree does not match the GroupInfo tree hash.");
        }

        tree.Validate(context.GroupId);
        var signer = tree.Leaf(groupInfo.Signer) ?? throw new MlsException($"GroupInfo signer {groupInfo.Signer} is not a member.");
        MlsCipherSuite.VerifyWithLabelOrThrow(signer.SignatureKey, "GroupInfoTBS", groupInfo.ToBeSigned(), groupInfo.Signature);

        var ownLeafBytes = TlsWriter.Encode(keyPackage.KeyPackage.LeafNode.Encode);
        var own = tree.Leaves().Where(l => TlsWriter.Encode(l.Leaf.Encode).AsSpan().SequenceEqual(ownLeafBytes)).Select(l => (uint?)l.Index).FirstOrDefault()
            ?? throw new MlsException("The ratchet tree does not contain this member's leaf.");

        var contextBytes = context.ToBytes();
        var epochSecrets = EpochSecrets.FromJoinerSecret(groupSecrets.JoinerSecret, pskSecret, contextBytes);
        if (!MlsCipherSuite.VerifyMac(epochSecrets.ConfirmationKey, context.ConfirmedTranscriptHash, groupInfo.ConfirmationTag))
        {
            throw new MlsVerificationException("Invalid GroupInfo confirmation tag.");
        }

        var keys = new Dictionary<uint, (byte[], byte[])> { [TreeMath.NodeOfLeaf(own)] = (keyPackage.EncryptionPrivateKey, keyPackage.KeyPackage.LeafNode.EncryptionKey) };
        if (groupSecrets.PathSecret is not null)
        {
            var filtered = tree.FilteredDirectPath(groupInfo.Signer);
            var commonAncestor = TreeMath.CommonAncestor(TreeMath.NodeOfLeaf(own), TreeMath.NodeOfLeaf(groupInfo.Signer));
            var start = filtered.IndexOf(commonAncestor);
            if (start < 0)
            {
                throw new MlsException("The Welcome path secret's node is not on the signer's filtered direct path.");
            }

            var derived = TreeKem.DeriveUpwards(filtered, start, groupSecrets.PathSecret, i => tree.Parent(filtered[i])?.EncryptionKey ?? throw new MlsException("Path secret for a blank node."));
            foreach (var (node, privateKey) in derived.PrivateKeys)
            {
                keys[node] = (privateKey, tree.Parent(node)!.EncryptionKey);
            }
        }

        var interim = TranscriptHash.Interim(context.ConfirmedTranscriptHash, groupInfo.ConfirmationTag);
        return new MlsGroup(self, new EpochState(context, tree, epochSecrets, interim, own, keys), externalPsks.ToDictionary());
    }

    /// <summary>Decrypts GroupSecrets and GroupInfo and checks the GroupInfo's cipher suite (RFC 9420 §12.4.3.1 steps 1–3).</summary>
    internal static (GroupSecrets Secrets, GroupInfo Info, byte[] PskSecret) OpenWelcome(Welcome welcome, KeyPackage keyPackage, byte[] initPrivateKey, IReadOnlyDictionary<string, byte[]> externalPsks)
    {
        if (welcome.CipherSuite != MlsCipherSuite.Id)
        {
            throw new MlsException($"Welcome for ciphersuite {welcome.CipherSuite} is not supported.");
        }

        var reference = keyPackage.Reference();
        var entry = welcome.Secrets.FirstOrDefault(s => s.NewMember.AsSpan().SequenceEqual(reference))
            ?? throw new MlsException("The Welcome has no secrets for this KeyPackage.");
        var groupSecrets = GroupSecrets.Parse(MlsCipherSuite.DecryptWithLabel(
            initPrivateKey, "Welcome", welcome.EncryptedGroupInfo, entry.EncryptedSecrets.KemOutput, entry.EncryptedSecrets.Ciphertext));
        var pskSecret = PskSecret.Compute(ResolvePsks(groupSecrets.Psks, externalPsks, null));
        var (key, nonce) = EpochSecrets.WelcomeKeyAndNonce(groupSecrets.JoinerSecret, pskSecret);
        var groupInfo = GroupInfo.Parse(MlsCipherSuite.AeadDecrypt(key, nonce, [], welcome.EncryptedGroupInfo));
        return (groupSecrets, groupInfo, pskSecret);
    }

    /// <summary>
    /// Validates concatenated MLSMessages carrying proposals (DAVE opcode 27 append) and caches them for the next commit.
    /// Each must be a PublicMessage for this group and epoch, signed by an external sender (or carrying a valid
    /// membership tag from a member), and only Add or Remove. All or none are cached.
    /// </summary>
    public IReadOnlyList<MlsProposalInfo> ValidateAndCacheProposals(ReadOnlySpan<byte> proposalMessages)
    {
        var validated = new List<CachedProposal>();
        foreach (var bytes in MlsWire.SplitMlsMessages(proposalMessages))
        {
            var proposal = ValidateProposal(MlsMessage.Parse(bytes).AsPublic);
            if (proposal.Proposal is not (AddProposal or RemoveProposal))
            {
                throw new MlsException($"Only Add and Remove proposals are accepted, got type {proposal.Proposal.Type}.");
            }

            validated.Add(proposal);
        }

        _proposals.AddRange(validated.Where(v => !_proposals.Exists(p => p.Ref.Equals(v.Ref))));
        return [.. validated.Select(Describe)];
    }

    /// <summary>Caches one proposal message of any supported type (members' Update/PSK/GCE proposals included).</summary>
    internal void CacheProposal(ReadOnlySpan<byte> message)
    {
        var proposal = ValidateProposal(MlsMessage.Parse(message).AsPublic);
        if (!_proposals.Exists(p => p.Ref.Equals(proposal.Ref)))
        {
            _proposals.Add(proposal);
        }
    }

    public void RevokeProposals(IEnumerable<ProposalRef> refs)
    {
        var revoked = refs.ToHashSet();
        _proposals.RemoveAll(p => revoked.Contains(p.Ref));
    }

    public IReadOnlyList<MlsProposalInfo> CachedProposals => [.. _proposals.Select(Describe)];

    /// <summary>
    /// Commits every cached proposal by reference. Includes an UpdatePath when RFC 9420 requires one (any Remove), and
    /// a Welcome (ratchet_tree in the GroupInfo) when members are added. The group moves to the new epoch only when
    /// <see cref="ProcessCommit"/> is called with the returned commit (DAVE: the gateway announces the winner).
    /// </summary>
    public CommitResult CommitCachedProposals()
    {
        if (_proposals.Count == 0)
        {
            throw new MlsException("No cached proposals to commit.");
        }

        var state = _state;
        var refs = _proposals.Select(p => new ProposalOrRef(null, p.Ref.ToArray())).ToList();
        var applied = ApplyProposals(state, [.. _proposals.Select(p => (p.Proposal, p.Sender))], state.OwnLeaf);
        var tree = applied.Tree;
        var keys = EpochState.StillValidKeys(state.PrivateKeys, tree);

        UpdatePath? path = null;
        PathSecrets? pathSecrets = null;
        List<uint> filtered = [];
        var commitSecret = EpochSecrets.ZeroSecret;
        if (applied.PathRequired)
        {
            var ownLeaf = tree.Leaf(state.OwnLeaf)!;
            var (leafPrivate, leafPublic, leafParentHash, filteredPath, secrets) = TreeKem.GeneratePath(tree, state.OwnLeaf);
            var newLeaf = (ownLeaf with { EncryptionKey = leafPublic, Source = LeafNodeSource.Commit, NotBefore = 0, NotAfter = 0, ParentHash = leafParentHash })
                .SignedWith(_self.SignaturePrivateKey, state.Context.GroupId, state.OwnLeaf);
            tree.SetLeaf(state.OwnLeaf, newLeaf);
            var provisional = GroupContext.Create(state.Context.GroupId, state.Context.Epoch + 1, tree.TreeHash(), state.Context.ConfirmedTranscriptHash, applied.Extensions);
            path = new UpdatePath(newLeaf, TreeKem.EncryptPath(tree, state.OwnLeaf, filteredPath, secrets, provisional.ToBytes(), applied.AddedLeaves));
            keys = EpochState.StillValidKeys(keys, tree);
            keys[TreeMath.NodeOfLeaf(state.OwnLeaf)] = (leafPrivate, leafPublic);
            foreach (var (node, privateKey) in secrets.PrivateKeys)
            {
                keys[node] = (privateKey, tree.Parent(node)!.EncryptionKey);
            }

            commitSecret = secrets.CommitSecret;
            pathSecrets = secrets;
            filtered = filteredPath;
        }

        var content = new FramedContent(state.Context.GroupId, state.Context.Epoch, new Sender(SenderType.Member, state.OwnLeaf), [], ContentType.Commit, null, null, new Commit(refs, path));
        var signature = ContentAuthentication.Sign(content, state.Context, _self.SignaturePrivateKey);
        var confirmed = TranscriptHash.Confirmed(state.InterimTranscriptHash, new AuthenticatedContent(WireFormat.PublicMessage, content, new FramedContentAuthData(signature, null)).ConfirmedTranscriptHashInput());
        var newContext = GroupContext.Create(state.Context.GroupId, state.Context.Epoch + 1, tree.TreeHash(), confirmed, applied.Extensions);
        var contextBytes = newContext.ToBytes();
        var joiner = EpochSecrets.DeriveJoinerSecret(state.Secrets.InitSecret, commitSecret, contextBytes);
        var pskSecret = PskSecret.Compute(applied.Psks);
        var newSecrets = EpochSecrets.FromJoinerSecret(joiner, pskSecret, contextBytes);
        var confirmationTag = newSecrets.ConfirmationTag(confirmed);
        var auth = new FramedContentAuthData(signature, confirmationTag);
        var membershipTag = ContentAuthentication.MembershipTag(state.Secrets.MembershipKey, content, auth, state.Context);
        var commitMessage = new MlsMessage(WireFormat.PublicMessage, new PublicMessage(content, auth, membershipTag)).ToBytes();

        byte[]? welcome = null;
        if (applied.AddedLeaves.Count > 0)
        {
            welcome = CreateWelcome(tree, newContext, confirmationTag, joiner, pskSecret, applied, filtered, pathSecrets, state.OwnLeaf).ToBytes();
        }

        var newState = new EpochState(newContext, tree, newSecrets, TranscriptHash.Interim(confirmed, confirmationTag), state.OwnLeaf, keys);
        _pending = new PendingCommit(commitMessage, newState);
        return new CommitResult(commitMessage, welcome);
    }

    /// <summary>Forgets this member's pending commit (e.g. DAVE invalid-commit handling).</summary>
    public void DiscardPendingCommit() => _pending = null;

    /// <summary>
    /// Moves to the next epoch with a commit for the current epoch: this member's own pending commit (adopted as
    /// prepared) or another member's commit (verified, proposals applied, UpdatePath decrypted, confirmation tag checked).
    /// </summary>
    /// <exception cref="MlsRemovedFromGroupException">The commit removes this member.</exception>
    public void ProcessCommit(ReadOnlySpan<byte> mlsMessageCommit)
    {
        if (_pending is not null && mlsMessageCommit.SequenceEqual(_pending.Message))
        {
            Advance(_pending.State);
            return;
        }

        var message = MlsMessage.Parse(mlsMessageCommit).AsPublic;
        var content = message.Content;
        var state = _state;
        CheckEpoch(content, state);
        if (content.ContentType != ContentType.Commit || content.Sender.Type != SenderType.Member)
        {
            throw new MlsException("Expected a commit from a group member.");
        }

        var committer = content.Sender.Index;
        if (committer == state.OwnLeaf)
        {
            throw new MlsException("A commit from this member that is not its pending commit cannot be processed.");
        }

        var committerLeaf = state.Tree.Leaf(committer) ?? throw new MlsException($"Commit from unknown leaf {committer}.");
        ContentAuthentication.VerifySignature(content, message.Auth, state.Context, committerLeaf.SignatureKey);
        ContentAuthentication.VerifyMembershipTag(state.Secrets.MembershipKey, message, state.Context);

        var commit = content.Commit!;
        var proposals = new List<(Proposal Proposal, Sender Sender)>();
        foreach (var item in commit.Proposals)
        {
            if (item.Proposal is not null)
            {
                proposals.Add((item.Proposal, content.Sender));
            }
            else
            {
                var cached = _proposals.Find(p => p.Ref.Value.SequenceEqual(item.Reference))
                    ?? throw new MlsException($"Commit references unknown proposal {Convert.ToHexString(item.Reference!)}.");
                proposals.Add((cached.Proposal, cached.Sender));
            }
        }

        var applied = ApplyProposals(state, proposals, committer);
        var tree = applied.Tree;
        if (tree.Leaf(state.OwnLeaf) is null || applied.RemovedLeaves.Contains(state.OwnLeaf))
        {
            throw new MlsRemovedFromGroupException($"Commit in epoch {state.Context.Epoch} removes this member (leaf {state.OwnLeaf}).");
        }

        var keys = EpochState.StillValidKeys(state.PrivateKeys, tree);
        var commitSecret = EpochSecrets.ZeroSecret;
        if (commit.Path is { } path)
        {
            if (path.LeafNode.Source != LeafNodeSource.Commit || !path.LeafNode.VerifySignature(state.Context.GroupId, committer))
            {
                throw new MlsVerificationException("Invalid UpdatePath leaf node.");
            }

            var leafParentHash = tree.ApplyPath(committer, [.. path.Nodes.Select(n => n.EncryptionKey)]);
            if (!leafParentHash.AsSpan().SequenceEqual(path.LeafNode.ParentHash))
            {
                throw new MlsVerificationException("UpdatePath leaf parent hash mismatch.");
            }

            tree.SetLeaf(committer, path.LeafNode);
            var provisional = GroupContext.Create(state.Context.GroupId, state.Context.Epoch + 1, tree.TreeHash(), state.Context.ConfirmedTranscriptHash, applied.Extensions);
            keys = EpochState.StillValidKeys(keys, tree);
            var secrets = TreeKem.Decrypt(tree, committer, state.OwnLeaf, path, keys.ToDictionary(k => k.Key, k => k.Value.PrivateKey), provisional.ToBytes(), applied.AddedLeaves);
            foreach (var (node, privateKey) in secrets.PrivateKeys)
            {
                keys[node] = (privateKey, tree.Parent(node)!.EncryptionKey);
            }

            commitSecret = secrets.CommitSecret;
        }
        else if (applied.PathRequired)
        {
            throw new MlsException("The commit needs an UpdatePath (empty, Update, Remove or GroupContextExtensions) but has none.");
        }

        var authenticated = message.Authenticated;
        var confirmed = TranscriptHash.Confirmed(state.InterimTranscriptHash, authenticated.ConfirmedTranscriptHashInput());
        var newContext = GroupContext.Create(state.Context.GroupId, state.Context.Epoch + 1, tree.TreeHash(), confirmed, applied.Extensions);
        var contextBytes = newContext.ToBytes();
        var joiner = EpochSecrets.DeriveJoinerSecret(state.Secrets.InitSecret, commitSecret, contextBytes);
        var newSecrets = EpochSecrets.FromJoinerSecret(joiner, PskSecret.Compute(applied.Psks), contextBytes);
        var confirmationTag = message.Auth.ConfirmationTag!;
        if (!MlsCipherSuite.VerifyMac(newSecrets.ConfirmationKey, confirmed, confirmationTag))
        {
            throw new MlsVerificationException("Invalid commit confirmation tag.");
        }

        Advance(new EpochState(newContext, tree, newSecrets, TranscriptHash.Interim(confirmed, confirmationTag), state.OwnLeaf, keys));
    }

    /// <summary>MLS-Exporter(label, context, length) of the current epoch (RFC 9420 §8.5).</summary>
    public byte[] Export(string label, ReadOnlySpan<byte> context, int length)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);

        // HKDF-SHA256 can expand to at most 255 blocks.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 255 * MlsCipherSuite.HashLength);
        return _state.Secrets.Export(label, context, length);
    }

    /// <summary>An independent copy of this member's view (states are immutable, so this is cheap); used by benchmarks.</summary>
    internal MlsGroup Fork()
    {
        var copy = new MlsGroup(_self, _state, new Dictionary<string, byte[]>(_externalPsks)) { _pending = _pending };
        copy._proposals.AddRange(_proposals);
        foreach (var (epoch, psk) in _resumptionPsks)
        {
            copy._resumptionPsks[epoch] = psk;
        }

        return copy;
    }

    private static List<(PreSharedKeyId Id, byte[] Psk)> ResolvePsks(IEnumerable<PreSharedKeyId> ids, IReadOnlyDictionary<string, byte[]> externalPsks, MlsGroup? group) =>
        [.. ids.Select(id => (id, ResolvePsk(id, externalPsks, group)))];

    private static byte[] ResolvePsk(PreSharedKeyId id, IReadOnlyDictionary<string, byte[]> externalPsks, MlsGroup? group)
    {
        if (id.PskType == PreSharedKeyId.External && externalPsks.TryGetValue(Convert.ToHexString(id.PskId), out var external))
        {
            return external;
        }

        const byte applicationUsage = 1;
        if (id.PskType == PreSharedKeyId.Resumption && id.Usage == applicationUsage && group is not null
            && id.PskGroupId.AsSpan().SequenceEqual(group._state.Context.GroupId) && group._resumptionPsks.TryGetValue(id.PskEpoch, out var resumption))
        {
            return resumption;
        }

        throw new MlsException($"Unknown or unsupported pre-shared key (type {id.PskType}).");
    }

    private static void CheckEpoch(FramedContent content, EpochState state)
    {
        if (!content.GroupId.AsSpan().SequenceEqual(state.Context.GroupId))
        {
            throw new MlsException("Message for a different group.");
        }

        if (content.Epoch != state.Context.Epoch)
        {
            throw new MlsException($"Message for epoch {content.Epoch}, the group is in epoch {state.Context.Epoch}.");
        }
    }

    private static MlsProposalInfo Describe(CachedProposal cached) => cached.Proposal switch
    {
        AddProposal add => new MlsProposalInfo(cached.Ref, MlsProposalKind.Add, add.KeyPackage.LeafNode.Credential.Identity, null),
        RemoveProposal remove => new MlsProposalInfo(cached.Ref, MlsProposalKind.Remove, cached.RemovedIdentity ?? [], remove.Removed),
        _ => throw new MlsException($"Proposal type {cached.Proposal.Type} has no public description."),
    };

    /// <summary>
    /// Applies proposals in RFC 9420 §12.3 order (GroupContextExtensions, Update, Remove, Add; PSKs collected) to a copy
    /// of the tree, validating each against the current state.
    /// </summary>
    private AppliedProposals ApplyProposals(EpochState state, IReadOnlyList<(Proposal Proposal, Sender Sender)> proposals, uint committer)
    {
        var tree = state.Tree.Clone();
        var extensions = state.Context.Extensions;
        var pathRequired = proposals.Count == 0;
        foreach (var (proposal, _) in proposals)
        {
            switch (proposal)
            {
                case GroupContextExtensionsProposal gce:
                    extensions = gce.Extensions;
                    pathRequired = true;
                    break;
                case ExternalInitProposal or ReInitProposal:
                    throw new MlsException($"Proposal type {proposal.Type} is not supported.");
            }
        }

        var touchedLeaves = new HashSet<uint>();
        foreach (var (proposal, sender) in proposals)
        {
            if (proposal is UpdateProposal update)
            {
                if (sender.Type != SenderType.Member || sender.Index == committer || !touchedLeaves.Add(sender.Index))
                {
                    throw new MlsException("Invalid Update proposal sender.");
                }

                if (update.LeafNode.Source != LeafNodeSource.Update || !update.LeafNode.VerifySignature(state.Context.GroupId, sender.Index))
                {
                    throw new MlsVerificationException("Invalid Update proposal leaf node.");
                }

                tree.UpdateLeaf(sender.Index, update.LeafNode);
                pathRequired = true;
            }
        }

        var removed = new List<uint>();
        foreach (var (proposal, _) in proposals)
        {
            if (proposal is RemoveProposal remove)
            {
                if (remove.Removed == committer || !touchedLeaves.Add(remove.Removed) || tree.Leaf(remove.Removed) is null)
                {
                    throw new MlsException($"Invalid Remove proposal for leaf {remove.Removed}.");
                }

                tree.RemoveLeaf(remove.Removed);
                removed.Add(remove.Removed);
                pathRequired = true;
            }
        }

        var added = new List<uint>();
        var addedKeyPackages = new List<KeyPackage>();
        foreach (var (proposal, _) in proposals)
        {
            if (proposal is AddProposal add)
            {
                add.KeyPackage.Verify();
                if (tree.Leaves().Any(l => l.Leaf.SignatureKey.AsSpan().SequenceEqual(add.KeyPackage.LeafNode.SignatureKey)))
                {
                    throw new MlsException("Add proposal for a signature key already in the group.");
                }

                added.Add(tree.AddLeaf(add.KeyPackage.LeafNode));
                addedKeyPackages.Add(add.KeyPackage);
            }
        }

        var psks = ResolvePsks(proposals.Select(p => p.Proposal).OfType<PreSharedKeyProposal>().Select(p => p.Psk), _externalPsks, this);
        return new AppliedProposals(tree, extensions, added, addedKeyPackages, removed, psks, pathRequired);
    }

    private Welcome CreateWelcome(RatchetTree tree, GroupContext newContext, byte[] confirmationTag, byte[] joiner, byte[] pskSecret, AppliedProposals applied, List<uint> filtered, PathSecrets? pathSecrets, uint ownLeaf)
    {
        var unsigned = new GroupInfo(newContext, [new Extension(ExtensionType.RatchetTree, TreeNode.EncodeRatchetTree(tree.ToNodes()))], confirmationTag, ownLeaf, []);
        var groupInfo = unsigned with { Signature = MlsCipherSuite.SignWithLabel(_self.SignaturePrivateKey, "GroupInfoTBS", unsigned.ToBeSigned()) };
        var (key, nonce) = EpochSecrets.WelcomeKeyAndNonce(joiner, pskSecret);
        var encryptedGroupInfo = MlsCipherSuite.AeadEncrypt(key, nonce, [], groupInfo.ToBytes());
        var secrets = new List<EncryptedGroupSecrets>();
        for (var i = 0; i < applied.AddedLeaves.Count; i++)
        {
            byte[]? pathSecret = null;
            if (pathSecrets is not null)
            {
                var commonAncestor = TreeMath.CommonAncestor(TreeMath.NodeOfLeaf(ownLeaf), TreeMath.NodeOfLeaf(applied.AddedLeaves[i]));
                pathSecret = filtered.Contains(commonAncestor) ? pathSecrets.PathSecretsByNode[commonAncestor] : null;
            }

            var groupSecrets = new GroupSecrets(joiner, pathSecret, [.. applied.Psks.Select(p => p.Id)]).ToBytes();
            var keyPackage = applied.AddedKeyPackages[i];
            var (kemOutput, ciphertext) = MlsCipherSuite.EncryptWithLabel(keyPackage.InitKey, "Welcome", encryptedGroupInfo, groupSecrets);
            secrets.Add(new EncryptedGroupSecrets(keyPackage.Reference(), new HpkeCiphertext(kemOutput, ciphertext)));
        }

        return new Welcome(MlsCipherSuite.Id, secrets, encryptedGroupInfo);
    }

    private CachedProposal ValidateProposal(PublicMessage message)
    {
        var state = _state;
        var content = message.Content;
        CheckEpoch(content, state);
        if (content.ContentType != ContentType.Proposal)
        {
            throw new MlsException($"Expected a proposal, got {content.ContentType}.");
        }

        switch (content.Sender.Type)
        {
            case SenderType.External:
                {
                    var senders = state.ExternalSenders();
                    if (content.Sender.Index >= senders.Count)
                    {
                        throw new MlsException($"Unknown external sender index {content.Sender.Index}.");
                    }

                    ContentAuthentication.VerifySignature(content, message.Auth, null, senders[(int)content.Sender.Index].SignatureKey);
                    if (content.Proposal is not (AddProposal or RemoveProposal or PreSharedKeyProposal or ReInitProposal or GroupContextExtensionsProposal))
                    {
                        throw new MlsException($"External senders cannot send proposal type {content.Proposal!.Type}.");
                    }

                    break;
                }

            case SenderType.Member:
                {
                    var leaf = state.Tree.Leaf(content.Sender.Index) ?? throw new MlsException($"Proposal from unknown leaf {content.Sender.Index}.");
                    ContentAuthentication.VerifySignature(content, message.Auth, state.Context, leaf.SignatureKey);
                    ContentAuthentication.VerifyMembershipTag(state.Secrets.MembershipKey, message, state.Context);
                    break;
                }

            default:
                throw new MlsException($"Proposals from sender type {content.Sender.Type} are not supported.");
        }

        byte[]? removedIdentity = null;
        if (content.Proposal is RemoveProposal remove)
        {
            removedIdentity = (state.Tree.Leaf(remove.Removed) ?? throw new MlsException($"Remove proposal for blank or unknown leaf {remove.Removed}.")).Credential.Identity;
        }
        else if (content.Proposal is AddProposal add)
        {
            add.KeyPackage.Verify();
        }

        return new CachedProposal(new ProposalRef(message.Authenticated.ProposalReference()), content.Proposal!, content.Sender, removedIdentity);
    }

    private void Advance(EpochState next)
    {
        _state = next;
        _resumptionPsks[next.Context.Epoch] = next.Secrets.ResumptionPsk;
        _pending = null;
        _proposals.Clear();
    }

    private sealed record CachedProposal(ProposalRef Ref, Proposal Proposal, Sender Sender, byte[]? RemovedIdentity);

    private sealed record PendingCommit(byte[] Message, EpochState State);

    private sealed record AppliedProposals(
        RatchetTree Tree,
        IReadOnlyList<Extension> Extensions,
        List<uint> AddedLeaves,
        List<KeyPackage> AddedKeyPackages,
        List<uint> RemovedLeaves,
        List<(PreSharedKeyId Id, byte[] Psk)> Psks,
        bool PathRequired);
}
