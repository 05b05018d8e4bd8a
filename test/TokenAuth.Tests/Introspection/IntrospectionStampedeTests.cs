using System.Net;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Introspection.IntrospectionCacheTests;
using static TokenAuth.Tests.Introspection.ResourceServer;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// A thousand requests at once: run alone (its own collection, not beside other classes), so that it neither starves the
/// suite's timing-sensitive tests nor is starved by them.
/// </summary>
[Collection(IntrospectionStampedeDefinition.Name)]
public sealed class IntrospectionStampedeTests
{
    [Fact]
    public async Task ThousandConcurrentColdRequests_OneToken_ExactlyOneIntrospection()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        var arrived = 0;
        await using var app = await StartAsync(authority, o =>
        {
            HeldAtTheGate(o);
            o.Events.OnMessageReceived = _ =>
            {
                Interlocked.Increment(ref arrived);
                return Task.CompletedTask;
            };
        });
        var token = await authority.IssueAsync();
        authority.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var requests = Enumerable.Range(0, 1000).Select(_ => app.Client.SendAsync(TestApp.Get("/protected", token))).ToList();
        // Every request is in the handler and the one introspection is held at the server: all 1000 are cold and waiting.
        await WaitUntilAsync(() => Volatile.Read(ref arrived) == 1000 && authority.Calls == 1);
        await Task.Delay(50);
        authority.Gate.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, authority.Calls);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}

/// <summary>The stampede test's collection: never run in parallel with another.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IntrospectionStampedeDefinition
{
    public const string Name = "Introspection stampede";
}
