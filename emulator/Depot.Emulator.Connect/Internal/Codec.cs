using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Depot.Emulator.Connect.Internal;

/// <summary>The two Connect codecs: binary protobuf and proto3 canonical JSON.</summary>
internal abstract class Codec
{
    public static readonly Codec Proto = new ProtoCodec();
    public static readonly Codec Json = new JsonCodec();

    public abstract string Name { get; }

    public abstract IMessage Parse(MessageDescriptor type, ReadOnlySpan<byte> payload);

    public abstract byte[] Serialize(IMessage message);

    private sealed class ProtoCodec : Codec
    {
        public override string Name => "proto";

        public override IMessage Parse(MessageDescriptor type, ReadOnlySpan<byte> payload) => type.Parser.ParseFrom(payload);

        public override byte[] Serialize(IMessage message) => message.ToByteArray();
    }

    private sealed class JsonCodec : Codec
    {
        private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

        // Connect's JSON is UTF-8; bytes that are not are refused rather than read as replacement characters.
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public override string Name => "json";

        public override IMessage Parse(MessageDescriptor type, ReadOnlySpan<byte> payload)
        {
            // An empty JSON body means the empty message, as connect-go treats it.
            string text;
            try
            {
                text = payload.IsEmpty ? "{}" : StrictUtf8.GetString(payload);
            }
            catch (DecoderFallbackException)
            {
                throw new ConnectException(ConnectCode.InvalidArgument, $"request is not a valid {type.FullName}: the JSON is not UTF-8");
            }

            return Parser.Parse(text, type);
        }

        public override byte[] Serialize(IMessage message) => Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message));
    }
}
