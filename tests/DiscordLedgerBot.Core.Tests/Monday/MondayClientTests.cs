using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Tests.Support;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Core.Tests.Monday;

public class MondayClientTests
{
    private const string Mutation = "mutation { complexity { before after query reset_in_x_seconds } }";

    private readonly FakeTimeProvider _time = new(TestTime.Start);

    [Fact]
    public async Task Rate_limited_request_waits_for_the_longest_hint_before_retrying()
    {
        var transport = new FakeMondayTransport()
            .Then(FakeMondayTransport.Error(429, "COMPLEXITY_BUDGET_EXHAUSTED", "Complexity budget exhausted", 22, ("Retry-After", "5")))
            .Then(FakeMondayTransport.Data([]));
        var client = TestOptions.Client(transport, _time);
        var start = _time.GetUtcNow();

        var response = await Eventually.CompletesAsync(_time, client.MutateAsync(Mutation, [], "k1:create", 1, CancellationToken.None), TimeSpan.FromMilliseconds(250));

        Assert.False(response.IsRequestFailure);
        Assert.Equal(2, transport.Requests.Count);
        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromSeconds(22), $"retried after {_time.GetUtcNow() - start}");
        Assert.All(transport.Requests, r => Assert.Equal("k1:create", r.IdempotencyKey));
    }

    [Fact]
    public async Task Rate_limit_with_http_200_is_recognised_by_code()
    {
        var transport = new FakeMondayTransport()
            .Then(FakeMondayTransport.Error(200, "complexityBudgetExhausted", "Complexity budget exhausted", 3))
            .Then(FakeMondayTransport.Data([]));
        var client = TestOptions.Client(transport, _time);

        await Eventually.CompletesAsync(_time, client.MutateAsync(Mutation, [], "k2", 1, CancellationToken.None), TimeSpan.FromMilliseconds(250));

        Assert.Equal(2, transport.Requests.Count);
    }

    [Fact]
    public async Task RateLimit_header_reset_is_honoured_when_it_is_the_longest()
    {
        var transport = new FakeMondayTransport()
            .Then(FakeMondayTransport.Error(429, "MINUTE_RATE_LIMIT_EXCEEDED", "Minute rate limit exceeded", 2, ("RateLimit", "\"minuteRate\";r=0;t=41")))
            .Then(FakeMondayTransport.Data([]));
        var client = TestOptions.Client(transport, _time);
        var start = _time.GetUtcNow();

        await Eventually.CompletesAsync(_time, client.QueryAsync("query { me { id } }", [], 1, CancellationToken.None), TimeSpan.FromMilliseconds(500));

        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromSeconds(41));
    }

    [Fact]
    public async Task Idempotency_conflict_is_retried_with_the_same_key_after_retry_after()
    {
        var transport = new FakeMondayTransport()
            .Then(FakeMondayTransport.Error(409, "IDEMPOTENCY_CONFLICT", "A request with this key is being processed", null, ("Retry-After", "2")))
            .Then(FakeMondayTransport.Json(200, new JsonObject { ["data"] = new JsonObject() }, ("Idempotency-Replayed", "true")));
        var client = TestOptions.Client(transport, _time);

        var response = await Eventually.CompletesAsync(_time, client.MutateAsync(Mutation, [], "slash:9:create", 1, CancellationToken.None), TimeSpan.FromMilliseconds(250));

        Assert.True(response.Replayed);
        Assert.Equal(["slash:9:create", "slash:9:create"], transport.Requests.Select(r => r.IdempotencyKey));
        Assert.Equal(1, client.Statistics.ReplayedResponses);
    }

    [Fact]
    public async Task Dropped_connection_on_a_mutation_is_retried_with_the_same_key()
    {
        var calls = 0;
        var transport = new FakeMondayTransport().Then(_ =>
            ++calls == 1 ? throw new HttpRequestException("connection reset") : FakeMondayTransport.Data([]));
        var client = TestOptions.Client(transport, _time);

        await Eventually.CompletesAsync(_time, client.MutateAsync(Mutation, [], "api:7:create", 1, CancellationToken.None), TimeSpan.FromMilliseconds(250));

        Assert.Equal(2, transport.Requests.Count);
        Assert.All(transport.Requests, r => Assert.Equal("api:7:create", r.IdempotencyKey));
    }

    [Fact]
    public async Task Validation_errors_are_never_retried()
    {
        var transport = new FakeMondayTransport().Then(FakeMondayTransport.Error(200, "InvalidArgumentException", "bad argument"));
        var client = TestOptions.Client(transport, _time);

        var error = await Assert.ThrowsAsync<MondayRequestException>(() => client.MutateAsync(Mutation, [], "k3", 1, CancellationToken.None));

        Assert.Equal(MondayErrorKind.Validation, error.Kind);
        Assert.Single(transport.Requests);
    }

    [Fact]
    public async Task Server_errors_are_retried_then_reported_as_retryable()
    {
        var transport = new FakeMondayTransport().Then(FakeMondayTransport.Json(502, []));
        var options = TestOptions.Monday();
        options.MaxRetryAttempts = 2;
        var client = TestOptions.Client(transport, _time, options);

        var task = client.MutateAsync(Mutation, [], "k4", 1, CancellationToken.None);
        var error = await Assert.ThrowsAsync<MondayRequestException>(() => Eventually.CompletesAsync(_time, task, TimeSpan.FromMilliseconds(250)));

        Assert.True(error.IsRetryable);
        Assert.Equal(3, transport.Requests.Count);
    }

    [Fact]
    public async Task Mutations_without_an_idempotency_key_are_refused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => TestOptions.Client(new FakeMondayTransport(), _time).MutateAsync(Mutation, [], " ", 1, CancellationToken.None));

    [Fact]
    public async Task Once_the_budget_is_known_a_request_that_does_not_fit_waits_for_the_reset()
    {
        var transport = new FakeMondayTransport()
            .Then(FakeMondayTransport.Data([], after: 5_000, resetIn: 30))
            .Then(FakeMondayTransport.Data([], after: 900_000, resetIn: 60));
        var client = TestOptions.Client(transport, _time);
        await client.QueryAsync("query { me { id } }", [], 1, CancellationToken.None);
        var start = _time.GetUtcNow();

        await Eventually.CompletesAsync(_time, client.MutateAsync(Mutation, [], "k5", 10_000, CancellationToken.None), TimeSpan.FromMilliseconds(500));

        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromSeconds(30));
        Assert.Equal(0, client.Statistics.RateLimitedAfterFirstReading);
        Assert.Equal(1, client.Statistics.PacingWaits);
    }

    [Fact]
    public async Task A_request_that_fits_the_budget_is_sent_at_once()
    {
        var transport = new FakeMondayTransport().Then(FakeMondayTransport.Data([], after: 500_000, resetIn: 30));
        var client = TestOptions.Client(transport, _time);
        await client.QueryAsync("query { me { id } }", [], 1, CancellationToken.None);

        await client.MutateAsync(Mutation, [], "k6", 10_000, CancellationToken.None);

        Assert.Equal(0, client.Statistics.PacingWaits);
        Assert.Equal(2, transport.Requests.Count);
    }

    [Fact]
    public async Task A_replayed_answer_does_not_overwrite_the_budget_reading()
    {
        var stale = FakeMondayTransport.Data([], after: 1_000, resetIn: 59);
        var transport = new FakeMondayTransport()
            .Then(FakeMondayTransport.Data([], after: 800_000, resetIn: 30))
            .Then(stale with { Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Idempotency-Replayed"] = "true" } });
        var client = TestOptions.Client(transport, _time);
        await client.QueryAsync("query { me { id } }", [], 1, CancellationToken.None);

        var replayed = await client.MutateAsync(Mutation, [], "k7", 1, CancellationToken.None);

        Assert.True(replayed.Replayed);
        Assert.Equal(800_000, client.Budget.Available);
    }
}
