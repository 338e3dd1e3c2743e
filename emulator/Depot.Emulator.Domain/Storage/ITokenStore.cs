using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Storage;

/// <summary>Tokens, only ever as hashes of their secrets. Looking one up by hash and adding one take constant time.</summary>
public interface ITokenStore
{
    TokenRecord? FindByHash(byte[] secretHash);

    TokenRecord? Find(string id);

    /// <summary>Tokens of one type bound to a project, oldest first, then by id.</summary>
    IReadOnlyList<TokenRecord> ForProject(string projectId, TokenType type);

    /// <summary>Every token, in no particular order.</summary>
    IReadOnlyList<TokenRecord> All();

    /// <summary>Adds the token; false when its id or its secret's hash is taken.</summary>
    bool Add(TokenRecord token);

    /// <summary>Replaces the token with the same id (its hash stays); false when there is none.</summary>
    bool Update(TokenRecord token);

    bool Delete(string id);

    /// <summary>Removes every token bound to the project.</summary>
    void DeleteProject(string projectId);

    /// <summary>Forgets pull tokens that expired at or before <paramref name="cutoff"/>; answers how many.</summary>
    int EvictPullTokens(DateTimeOffset cutoff);

    void Clear();
}
