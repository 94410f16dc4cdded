using DiscordLedgerBot.Voice.Mls.Codec;

namespace DiscordLedgerBot.Voice.Mls.Messages;

internal enum SenderType : byte
{
    Member = 1,
    External = 2,
    NewMemberProposal = 3,
    NewMemberCommit = 4,
}

internal enum ContentType : byte
{
    Application = 1,
    Proposal = 2,
    Commit = 3,
}

internal enum WireFormat : ushort
{
    PublicMessage = 1,
    PrivateMessage = 2,
    Welcome = 3,
    GroupInfo = 4,
    KeyPackage = 5,
}

/// <summary>RFC 9420 §6 Sender; <see cref="Index"/> is the leaf index (member) or the external_senders index.</summary>
internal sealed record Sender(SenderType Type, uint Index)
{
    public static Sender Decode(ref TlsReader reader)
    {
        var type = reader.ReadU8();
        return (SenderType)type switch
        {
            SenderType.Member or SenderType.External => new Sender((SenderType)type, reader.ReadU32()),
            SenderType.NewMemberProposal or SenderType.NewMemberCommit => new Sender((SenderType)type, 0),
            _ => throw new MlsDecodeException($"Unknown sender type {type}."),
        };
    }

    public void Encode(TlsWriter writer)
    {
        writer.WriteU8((byte)Type);
        if (Type is SenderType.Member or SenderType.External)
        {
            writer.WriteU32(Index);
        }
    }
}

/// <summary>RFC 9420 §6 FramedContent; exactly one body field matches <see cref="ContentType"/>.</summary>
internal sealed record FramedContent(
    byte[] GroupId,
    ulong Epoch,
    Sender Sender,
    byte[] AuthenticatedData,
    ContentType ContentType,
    byte[]? ApplicationData,
    Proposal? Proposal,
    Commit? Commit)
{
    public static FramedContent Decode(ref TlsReader reader)
    {
        var groupId = reader.ReadOpaque();
        var epoch = reader.ReadU64();
        var sender = Sender.Decode(ref reader);
        var authenticatedData = reader.ReadOpaque();
        var type = reader.ReadU8();
        return (ContentType)type switch
        {
            ContentType.Application => new FramedContent(groupId, epoch, sender, authenticatedData, ContentType.Application, reader.ReadOpaque(), null, null),
            ContentType.Proposal => new FramedContent(groupId, epoch, sender, authenticatedData, ContentType.Proposal, null, Proposal.Decode(ref reader), null),
            ContentType.Commit => new FramedContent(groupId, epoch, sender, authenticatedData, ContentType.Commit, null, null, Commit.Decode(ref reader)),
            _ => throw new MlsDecodeException($"Unknown content type {type}."),
        };
    }

    public void Encode(TlsWriter writer)
    {
        writer.WriteOpaque(GroupId);
        writer.WriteU64(Epoch);
        Sender.Encode(writer);
        writer.WriteOpaque(AuthenticatedData);
        EncodeBody(writer);
    }

    private void EncodeBody(TlsWriter writer)
    {
        writer.WriteU8((byte)ContentType);
        switch (ContentType)
        {
            case ContentType.Application:
                writer.WriteOpaque(ApplicationData!);
                break;
            case ContentType.Proposal:
                Proposal!.Encode(writer);
                break;
            default:
                Commit!.Encode(writer);
                break;
        }
    }

    /// <summary>FramedContentTBS (RFC 9420 §6.1); the group context is included for member and new-member-commit senders.</summary>
    public byte[] ToBeSigned(WireFormat wireFormat, GroupContext? context)
    {
        var writer = new TlsWriter();
        writer.WriteU16(1);
        writer.WriteU16((ushort)wireFormat);
        Encode(writer);
        if (Sender.Type is SenderType.Member or SenderType.NewMemberCommit)
        {
            (context ?? throw new MlsException("A group context is required to sign member content.")).Encode(writer);
        }

        return writer.ToArray();
    }
}

/// <summary>FramedContentAuthData: signature plus, for commits, the confirmation tag.</summary>
internal sealed record FramedContentAuthData(byte[] Signature, byte[]? ConfirmationTag)
{
    public static FramedContentAuthData Decode(ref TlsReader reader, ContentType contentType) =>
        new(reader.ReadOpaque(), contentType == ContentType.Commit ? reader.ReadOpaque() : null);

    public void Encode(TlsWriter writer)
    {
        writer.WriteOpaque(Signature);
        if (ConfirmationTag is not null)
        {
            writer.WriteOpaque(ConfirmationTag);
        }
    }
}

/// <summary>AuthenticatedContent: what proposal references and transcript hashes are computed over.</summary>
internal sealed record AuthenticatedContent(WireFormat WireFormat, FramedContent Content, FramedContentAuthData Auth)
{
    public static AuthenticatedContent Parse(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var format = reader.ReadU16();
        if (format is not ((ushort)WireFormat.PublicMessage or (ushort)WireFormat.PrivateMessage))
        {
            throw new MlsDecodeException($"Wire format {format} cannot carry framed content.");
        }

        var content = FramedContent.Decode(ref reader);
        var auth = FramedContentAuthData.Decode(ref reader, content.ContentType);
        reader.EnsureEnd("AuthenticatedContent");
        return new AuthenticatedContent((WireFormat)format, content, auth);
    }

    public byte[] ToBytes() => TlsWriter.Encode(w =>
    {
        w.WriteU16((ushort)WireFormat);
        Content.Encode(w);
        Auth.Encode(w);
    });

    public byte[] ProposalReference() => Crypto.MlsCipherSuite.RefHash("MLS 1.0 Proposal Reference"u8, ToBytes());

    /// <summary>ConfirmedTranscriptHashInput: wire_format, content, signature (not the confirmation tag).</summary>
    public byte[] ConfirmedTranscriptHashInput() => TlsWriter.Encode(w =>
    {
        w.WriteU16((ushort)WireFormat);
        Content.Encode(w);
        w.WriteOpaque(Auth.Signature);
    });
}

/// <summary>RFC 9420 §6.2 PublicMessage.</summary>
internal sealed record PublicMessage(FramedContent Content, FramedContentAuthData Auth, byte[]? MembershipTag)
{
    public static PublicMessage Decode(ref TlsReader reader)
    {
        var content = FramedContent.Decode(ref reader);
        var auth = FramedContentAuthData.Decode(ref reader, content.ContentType);
        var tag = content.Sender.Type == SenderType.Member ? reader.ReadOpaque() : null;
        return new PublicMessage(content, auth, tag);
    }

    public void Encode(TlsWriter writer)
    {
        Content.Encode(writer);
        Auth.Encode(writer);
        if (Content.Sender.Type == SenderType.Member)
        {
            writer.WriteOpaque(MembershipTag ?? throw new MlsException("A member PublicMessage needs a membership tag."));
        }
    }

    public AuthenticatedContent Authenticated => new(WireFormat.PublicMessage, Content, Auth);

    /// <summary>AuthenticatedContentTBM = FramedContentTBS || FramedContentAuthData, MACed with the membership key.</summary>
    public static byte[] MembershipTagInput(FramedContent content, FramedContentAuthData auth, GroupContext context)
    {
        var writer = new TlsWriter();
        writer.WriteRaw(content.ToBeSigned(WireFormat.PublicMessage, context));
        auth.Encode(writer);
        return writer.ToArray();
    }
}

/// <summary>RFC 9420 §6.3 PrivateMessage (outer framing only).</summary>
internal sealed record PrivateMessage(byte[] GroupId, ulong Epoch, ContentType ContentType, byte[] AuthenticatedData, byte[] EncryptedSenderData, byte[] Ciphertext)
{
    public static PrivateMessage Decode(ref TlsReader reader)
    {
        var groupId = reader.ReadOpaque();
        var epoch = reader.ReadU64();
        var type = reader.ReadU8();
        if (type is < 1 or > 3)
        {
            throw new MlsDecodeException($"Unknown content type {type}.");
        }

        return new PrivateMessage(groupId, epoch, (ContentType)type, reader.ReadOpaque(), reader.ReadOpaque(), reader.ReadOpaque());
    }

    public void Encode(TlsWriter writer)
    {
        writer.WriteOpaque(GroupId);
        writer.WriteU64(Epoch);
        writer.WriteU8((byte)ContentType);
        writer.WriteOpaque(AuthenticatedData);
        writer.WriteOpaque(EncryptedSenderData);
        writer.WriteOpaque(Ciphertext);
    }
}

/// <summary>RFC 9420 §6 MLSMessage: version 1 plus one wire format body.</summary>
internal sealed record MlsMessage(WireFormat WireFormat, object Body)
{
    public PublicMessage AsPublic => Body as PublicMessage ?? throw new MlsException($"Expected a PublicMessage, got {WireFormat}.");

    public static MlsMessage Parse(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var message = Decode(ref reader);
        reader.EnsureEnd("MLSMessage");
        return message;
    }

    public static MlsMessage Decode(ref TlsReader reader)
    {
        var version = reader.ReadU16();
        if (version != 1)
        {
            throw new MlsDecodeException($"Unsupported MLS protocol version {version}.");
        }

        var format = reader.ReadU16();
        object body = (WireFormat)format switch
        {
            WireFormat.PublicMessage => PublicMessage.Decode(ref reader),
            WireFormat.PrivateMessage => PrivateMessage.Decode(ref reader),
            WireFormat.Welcome => Welcome.Decode(ref reader),
            WireFormat.GroupInfo => GroupInfo.Decode(ref reader),
            WireFormat.KeyPackage => KeyPackage.Decode(ref reader),
            _ => throw new MlsDecodeException($"Unknown wire format {format}."),
        };
        return new MlsMessage((WireFormat)format, body);
    }

    public byte[] ToBytes() => TlsWriter.Encode(w =>
    {
        w.WriteU16(1);
        w.WriteU16((ushort)WireFormat);
        switch (Body)
        {
            case PublicMessage m: m.Encode(w); break;
            case PrivateMessage m: m.Encode(w); break;
            case Welcome m: m.Encode(w); break;
            case GroupInfo m: m.Encode(w); break;
            case KeyPackage m: m.Encode(w); break;
            default: throw new MlsException($"Unsupported MLSMessage body {Body.GetType().Name}.");
        }
    });
}
