namespace Depot.Emulator.BuildKit.Dockerfiles;

/// <summary>A Dockerfile BuildKit would refuse, worded as BuildKit words it.</summary>
public sealed class DockerfileParseException(string message) : Exception(message);
