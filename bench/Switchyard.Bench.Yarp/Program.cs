// The .NET floor of the overhead bench: a bare YARP pass-through with nothing else in the pipeline
// (no auth, no ledger, no logging per request). Usage: switchyard-bench-yarp --urls http://127.0.0.1:PORT --upstream http://127.0.0.1:PORT
using Yarp.ReverseProxy.Configuration;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var upstream = builder.Configuration["upstream"] ?? throw new InvalidOperationException("--upstream http://127.0.0.1:PORT is required");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["nginx"] = new() { Address = upstream } } }]);

var app = builder.Build();
app.MapReverseProxy();
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine("yarp ready"));
app.Run();
