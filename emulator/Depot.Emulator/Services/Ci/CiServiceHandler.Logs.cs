using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Depot.Ci.V1;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Services.Ci;

internal sealed partial class CiServiceHandler
{
    public const int LogPageSize = 1000;
    public const int ExportChunkBytes = 64 * 1024;

    private Task<GetJobAttemptLogsResponse> GetJobAttemptLogs(GetJobAttemptLogsRequest request, ConnectCallContext context)
    {
        var after = Cursor(request.PageToken, "page_token");
        var (lines, attempt) = engine.Logs(Org(context), Require(request.AttemptId, "attempt_id"), after, LogPageSize);
        var response = new GetJobAttemptLogsResponse();
        response.Lines.Add(lines.Select(CiMapping.ToLogLine));
        response.NextPageToken = lines.Count == LogPageSize ? lines[^1].Number.ToString(CultureInfo.InvariantCulture) : "";
        return Task.FromResult(response);
    }

    /// <summary>
    /// Sends the attempt's lines after the cursor and then follows it while it runs; each line carries the cursor to
    /// resume after it, so a client that reconnects gets no line twice.
    /// </summary>
    private async Task StreamJobAttemptLogs(StreamJobAttemptLogsRequest request, IConnectStreamWriter<StreamJobAttemptLogsResponse> stream, ConnectCallContext context)
    {
        var org = Org(context);
        var attemptId = request.AttemptId.Length > 0 ? request.AttemptId : LatestAttempt(org, Require(request.JobId, "attempt_id or job_id"));
        var after = Cursor(request.Cursor, "cursor");
        var dropped = streams.Current;
        while (true)
        {
            var (lines, attempt) = engine.Logs(org, attemptId, after, LogPageSize);
            foreach (var line in lines)
            {
                after = line.Number;
                await stream.WriteAsync(new StreamJobAttemptLogsResponse
                {
                    Line = CiMapping.ToLogLine(line), NextCursor = after.ToString(CultureInfo.InvariantCulture), AttemptStatus = attempt.Status,
                });
            }

            if (lines.Count == LogPageSize)
            {
                continue;
            }

            if (CiStatus.IsTerminal(attempt.Status))
            {
                return;
            }

            try
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, dropped);
                await Task.Delay(streams.PollInterval, either.Token);
            }
            catch (OperationCanceledException) when (dropped.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                throw new ConnectException(ConnectCode.Unavailable, "the log stream was interrupted; reconnect with the last cursor");
            }
        }
    }

    private string LatestAttempt(string org, string jobId)
    {
        var (_, _, job) = engine.Job(org, jobId);
        return job.Latest?.Id ?? throw DepotErrors.Precondition($"job {jobId} has not started an attempt yet");
    }

    /// <summary>The whole log as a file: one metadata message, then the bytes in chunks.</summary>
    private async Task ExportJobAttemptLogs(ExportJobAttemptLogsRequest request, IConnectStreamWriter<ExportJobAttemptLogsResponse> stream, ConnectCallContext context)
    {
        var org = Org(context);
        var attemptId = request.AttemptId.Length > 0 ? request.AttemptId : LatestAttempt(org, Require(request.JobId, "attempt_id or job_id"));
        var json = request.Format == JobAttemptLogExportFormat.Jsonl;
        var (lines, _) = engine.Logs(org, attemptId, 0, int.MaxValue);
        await stream.WriteAsync(new ExportJobAttemptLogsResponse
        {
            Metadata = new JobAttemptLogExportMetadata
            {
                Filename = attemptId + (json ? ".jsonl" : ".log"),
                ContentType = json ? "application/x-ndjson" : "text/plain; charset=utf-8",
                Format = json ? JobAttemptLogExportFormat.Jsonl : JobAttemptLogExportFormat.Text,
            },
        });
        var buffer = new StringBuilder();
        foreach (var line in lines)
        {
            buffer.Append(json
                ? JsonSerializer.Serialize(new { timestamp = CiMapping.Time(line.Timestamp), line_number = line.Number, step_name = line.StepName, stream = line.Stream, body = line.Body })
                : $"{CiMapping.Time(line.Timestamp)} {line.Body}").Append('\n');
            if (buffer.Length >= ExportChunkBytes)
            {
                await stream.WriteAsync(new ExportJobAttemptLogsResponse { Chunk = ByteString.CopyFromUtf8(buffer.ToString()) });
                buffer.Clear();
            }
        }

        if (buffer.Length > 0)
        {
            await stream.WriteAsync(new ExportJobAttemptLogsResponse { Chunk = ByteString.CopyFromUtf8(buffer.ToString()) });
        }
    }

    private static int Cursor(string token, string field) =>
        token.Length == 0 ? 0
        : int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw DepotErrors.Invalid($"{field} is not one this server issued");
}
