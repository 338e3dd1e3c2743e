namespace Depot.Emulator.Domain.Identity;

/// <summary>Ids and secrets; seeded, the same seed gives the same sequence.</summary>
public sealed class IdGenerator(int? seed)
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly Random _random = seed is { } s ? new Random(s) : new Random();
    private readonly object _lock = new();

    public string ProjectId() => Next(Alphabet, 10);

    public string Id(string prefix) => prefix + Next(Alphabet, 12);

    public string Secret(string prefix) => prefix + Next(SecretAlphabet, 40);

    public string Uuid()
    {
        var bytes = new byte[16];
        lock (_lock)
        {
            _random.NextBytes(bytes);
        }

        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }

    private string Next(string alphabet, int length)
    {
        var chars = new char[length];
        lock (_lock)
        {
            for (var i = 0; i < length; i++)
            {
                chars[i] = alphabet[_random.Next(alphabet.Length)];
            }
        }

        return new string(chars);
    }
}
