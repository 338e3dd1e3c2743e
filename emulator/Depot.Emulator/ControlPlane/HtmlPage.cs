using System.Text;

namespace Depot.Emulator.ControlPlane;

/// <summary>The one way the control plane answers with HTML: UTF-8, declared, so a browser shows what the page writes.</summary>
internal static class HtmlPage
{
    public const string ContentType = "text/html; charset=utf-8";

    public static IResult Content(string html, int? statusCode = null) =>
        Results.Content(html, ContentType, Encoding.UTF8, statusCode);
}
