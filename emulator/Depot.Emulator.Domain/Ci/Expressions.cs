using System.Text.RegularExpressions;

namespace Depot.Emulator.Domain.Ci;

/// <summary>What <c>${{ … }}</c> may refer to while a job runs.</summary>
public sealed class ExpressionContext
{
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Matrix { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Github { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether an earlier step (or a needed job) failed; <c>success()</c> and <c>failure()</c> read it.</summary>
    public bool Failed { get; init; }

    public bool Cancelled { get; init; }
}

/// <summary>
/// The simple cases of GitHub Actions expressions: context references (<c>inputs</c>, <c>matrix</c>, <c>vars</c>,
/// <c>github</c>; <c>secrets</c> always print as <c>***</c>), string and boolean literals, <c>==</c>, <c>!=</c>,
/// <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> and the status functions. Anything else reads as an empty string.
/// </summary>
public static partial class Expressions
{
    public static string Substitute(string text, ExpressionContext context) =>
        Template().Replace(text, m => Value(m.Groups[1].Value.Trim(), context));

    /// <summary>An <c>if:</c>; without a status function it also requires that nothing failed, as GitHub does.</summary>
    public static bool Evaluate(string? condition, ExpressionContext context)
    {
        if (string.IsNullOrWhiteSpace(condition))
        {
            return !context.Failed && !context.Cancelled;
        }

        var expression = condition.Trim();
        var whole = Template().Match(expression);
        if (whole.Success && whole.Length == expression.Length)
        {
            expression = whole.Groups[1].Value.Trim();
        }

        var result = Truthy(Or(expression, context));
        var hasStatus = StatusFunction().IsMatch(expression);
        return hasStatus ? result : result && !context.Failed && !context.Cancelled;
    }

    private static string Or(string expression, ExpressionContext context) =>
        Split(expression, "||").Any(part => Truthy(And(part, context))) ? "true" : "false";

    private static string And(string expression, ExpressionContext context) =>
        Split(expression, "&&").All(part => Truthy(Unary(part.Trim(), context))) ? "true" : "false";

    private static string Unary(string expression, ExpressionContext context)
    {
        if (expression.StartsWith('!') && !expression.StartsWith("!="))
        {
            return Truthy(Unary(expression[1..].Trim(), context)) ? "false" : "true";
        }

        if (expression.StartsWith('(') && expression.EndsWith(')'))
        {
            return Or(expression[1..^1], context);
        }

        foreach (var op in new[] { "==", "!=" })
        {
            var parts = Split(expression, op);
            if (parts.Count == 2)
            {
                var equal = string.Equals(Value(parts[0].Trim(), context), Value(parts[1].Trim(), context), StringComparison.OrdinalIgnoreCase);
                return (op == "==") == equal ? "true" : "false";
            }
        }

        return Value(expression, context);
    }

    private static string Value(string term, ExpressionContext context)
    {
        switch (term)
        {
            case "true" or "false":
                return term;
            case "success()":
                return !context.Failed && !context.Cancelled ? "true" : "false";
            case "failure()":
                return context.Failed ? "true" : "false";
            case "cancelled()":
                return context.Cancelled ? "true" : "false";
            case "always()":
                return "true";
        }

        if (term.Length >= 2 && term[0] == '\'' && term[^1] == '\'')
        {
            return term[1..^1].Replace("''", "'");
        }

        var dot = term.IndexOf('.');
        if (dot <= 0)
        {
            return "";
        }

        var name = term[(dot + 1)..];
        return term[..dot] switch
        {
            "inputs" or "github.event.inputs" => context.Inputs.GetValueOrDefault(name, ""),
            "matrix" => context.Matrix.GetValueOrDefault(name, ""),
            "vars" => context.Vars.GetValueOrDefault(name, ""),
            "github" => context.Github.GetValueOrDefault(name, ""),
            "secrets" => "***",
            _ => "",
        };
    }

    private static bool Truthy(string value) => value.Length > 0 && value != "false" && value != "0";

    /// <summary>Splits on an operator outside quotes and parentheses.</summary>
    private static List<string> Split(string expression, string op)
    {
        var parts = new List<string>();
        var depth = 0;
        var quoted = false;
        var start = 0;
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (c == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '(')
            {
                depth++;
            }
            else if (!quoted && c == ')')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && string.CompareOrdinal(expression, i, op, 0, op.Length) == 0)
            {
                parts.Add(expression[start..i]);
                start = i + op.Length;
                i += op.Length - 1;
            }
        }

        parts.Add(expression[start..]);
        return parts;
    }

    [GeneratedRegex(@"\$\{\{(.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Template();

    [GeneratedRegex(@"\b(success|failure|cancelled|always)\(\)")]
    private static partial Regex StatusFunction();
}
