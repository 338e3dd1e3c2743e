namespace Depot.Emulator.BuildKit.Services;

/// <summary>
/// The capabilities <c>Ping</c> reports. Clients check the ones they need (without <c>return</c> a client falls
/// back to an older protocol) and ignore ids they do not know.
/// </summary>
internal static class BuildKitCaps
{
    public static readonly IReadOnlyList<string> Frontend =
    [
        "solve.base", "solve.inlinereturn", "resolveimage", "resolveimage.resolvemode", "readfile", "return", "returnmap",
        "readdir", "statfile", "importcaches", "proto.refarray", "reference.output", "frontend.inputs",
        "gateway.solve.metadata", "gateway.exec", "gateway.exec.extrahosts", "frontend.caps", "gateway.solve.evaluate",
        "gateway.warnings",
    ];

    public static readonly IReadOnlyList<string> Llb =
    [
        "source.image", "source.image.resolvemode", "source.image.layerlimit", "source.local", "source.local.unique",
        "source.local.sessionid", "source.local.includepatterns", "source.local.followpaths", "source.local.excludepatterns",
        "source.local.sharedkeyhint", "source.local.differ", "source.git", "source.git.keepgitdir", "source.git.fullurl",
        "source.git.httpauth", "source.git.knownsshhosts", "source.git.mountsshsock", "source.http", "source.http.checksum",
        "source.http.perm", "soruce.http.uidgid", "source.ocilayout", "source.buildop.llbfilename", "exec.meta.base",
        "exec.meta.cgroup.parent", "exec.meta.network", "exec.meta.proxyenv", "exec.meta.security",
        "exec.meta.security.devices.v1", "exec.meta.setsdefaultpath", "exec.meta.ulimit", "exec.mount.bind",
        "exec.mount.bind.readwrite-nooutput", "exec.mount.cache", "exec.mount.cache.sharing", "exec.mount.selector",
        "exec.mount.tmpfs", "exec.mount.tmpfs.size", "exec.mount.secret", "exec.mount.ssh", "exec.cgroup", "file.base",
        "file.rm.wildcard", "file.copy.includeexcludepatterns", "file.rm.nofollowsymlink",
        "file.copy.alwaysreplaceexistingdestpaths", "constraints", "platform", "meta.ignorecache", "meta.description",
        "meta.exportcache", "mergeop", "diffop", "exporter.image.annotations", "exporter.image.attestations",
        "exporter.sourcedateepoch", "source.policy",
    ];
}
