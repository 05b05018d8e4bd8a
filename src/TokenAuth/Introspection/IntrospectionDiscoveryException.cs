namespace TokenAuth;

/// <summary>The authority's metadata could not give an introspection endpoint.</summary>
internal sealed class IntrospectionDiscoveryException(string message, Exception? inner = null) : Exception(message, inner);
