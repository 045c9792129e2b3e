namespace Switchyard.Bench.Chaos;

/// <summary>The gateway configs of the scenarios (written as <c>switchyard.yaml</c> in the gateway's temporary folder).</summary>
internal static class Configs
{
    private const string Tier2AndRoute = """
          tier2:
            type: sandbox
            latency: 30ms
            timeout: 500ms
            faults: { unavailable: 0.1 }
            fault_seed: 2002
          placeholder:
            type: placeholder

        routes:
          image:
            modality: image
            chain:
              - { provider: tier1, model: sandbox-image }
              - { provider: tier2, model: sandbox-image }
              - { provider: placeholder }
            on_content_rejected: next
        """;

    /// <summary>Tier 1 with 30 % unavailable, 10 % rate_limited, 5 % timeout, 5 % content_rejected; tier 2 with 10 % unavailable.</summary>
    public const string ScenarioA = """
        storage:
          database: sqlite:data/switchyard.db
          artifacts: file:data/artifacts

        providers:
          tier1:
            type: sandbox
            latency: 20ms
            timeout: 500ms
            faults: { unavailable: 0.30, rate_limited: 0.10, timeout: 0.05, content_rejected: 0.05 }
            retry_after: 1s
            fault_seed: 1001
            retry: { max_attempts: 3, base_delay: 250ms, max_delay: 1s, max_retry_after: 5s }
            circuit_breaker: { failure_ratio: 0.5, minimum_throughput: 10, sampling: 30s, break: 30s }

        """ + Tier2AndRoute;

    /// <summary>Tier 1 fully down, with a circuit that samples 10 s and breaks for 30 s.</summary>
    public const string ScenarioB = """
        storage:
          database: sqlite:data/switchyard.db
          artifacts: file:data/artifacts

        providers:
          tier1:
            type: sandbox
            latency: 20ms
            timeout: 500ms
            faults: { unavailable: 1.0 }
            fault_seed: 1001
            retry: { max_attempts: 3, base_delay: 250ms, max_delay: 1s, max_retry_after: 5s }
            circuit_breaker: { failure_ratio: 0.5, minimum_throughput: 10, sampling: 10s, break: 30s }

        """ + Tier2AndRoute;
}
