namespace Switchyard.Providers.Tests;

internal sealed class EmptyServices : IServiceProvider
{
    private readonly Dictionary<Type, object> _services = [];

    public EmptyServices With<T>(T service)
        where T : notnull
    {
        _services[typeof(T)] = service;
        return this;
    }

    public object? GetService(Type serviceType) => _services.GetValueOrDefault(serviceType);
}
