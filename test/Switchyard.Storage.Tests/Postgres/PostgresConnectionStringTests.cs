using Npgsql;
using Switchyard.Storage.Postgres;

namespace Switchyard.Storage.Tests.Postgres;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void Parse_FullUrl_ReadsEveryPart()
    {
        var builder = PostgresConnectionString.Parse("postgres://switchyard:s3cret@db.example.com:6543/ledger");

        Assert.Equal("db.example.com", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("switchyard", builder.Username);
        Assert.Equal("s3cret", builder.Password);
        Assert.Equal("ledger", builder.Database);
    }

    [Fact]
    public void Parse_UrlWithoutPort_UsesDefaultPort()
    {
        var builder = PostgresConnectionString.Parse("postgresql://user@localhost/db");

        Assert.Equal("localhost", builder.Host);
        Assert.Equal(5432, builder.Port);
        Assert.Equal("user", builder.Username);
        Assert.Null(builder.Password);
    }

    [Fact]
    public void Parse_PercentEncodedUserInfo_IsDecoded()
    {
        var builder = PostgresConnectionString.Parse("postgres://us%40er:p%3Aa%40ss%2Fw@127.0.0.1:5432/my%20db");

        Assert.Equal("us@er", builder.Username);
        Assert.Equal("p:a@ss/w", builder.Password);
        Assert.Equal("my db", builder.Database);
    }

    [Fact]
    public void Parse_QueryParameters_AreNpgsqlKeywords()
    {
        var builder = PostgresConnectionString.Parse("postgres://u:p@h/db?sslmode=require&Maximum%20Pool%20Size=7");

        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal(7, builder.MaxPoolSize);
    }

    [Fact]
    public void Parse_UnknownQueryParameter_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => PostgresConnectionString.Parse("postgres://u:p@h/db?no_such_setting=1"));
    }

    [Fact]
    public void Parse_Ipv6Host_DropsBrackets()
    {
        Assert.Equal("::1", PostgresConnectionString.Parse("postgres://u@[::1]:5433/db").Host);
    }

    [Fact]
    public void Parse_KeywordString_IsUsedAsIs()
    {
        var builder = PostgresConnectionString.Parse("Host=127.0.0.1;Port=55432;Username=postgres;Database=switchyard");

        Assert.Equal("127.0.0.1", builder.Host);
        Assert.Equal(55432, builder.Port);
        Assert.Equal("switchyard", builder.Database);
    }

    [Fact]
    public void Describe_Always_LeavesOutUserAndPassword()
    {
        var text = PostgresConnectionString.Describe(PostgresConnectionString.Parse("postgres://admin:topsecret@db:5432/ledger"));

        Assert.Equal("db:5432/ledger", text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("postgres://")]
    public void Parse_Malformed_Throws(string text)
    {
        Assert.ThrowsAny<ArgumentException>(() => PostgresConnectionString.Parse(text));
    }
}
