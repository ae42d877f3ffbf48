using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rapport.Features.Agents;

namespace Rapport.Features.ApiTokens;

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(ApiToken.NameMaxLength);
        builder.Property(t => t.KeyId).HasMaxLength(12);
        builder.Property(t => t.SecretHash).HasMaxLength(32);
        builder.Ignore(t => t.IsRevoked);
        builder.HasIndex(t => t.KeyId).IsUnique();
        builder.HasOne<Agent>().WithMany().HasForeignKey(t => t.CreatedByAgentId).OnDelete(DeleteBehavior.SetNull);
    }
}
