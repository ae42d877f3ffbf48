using Rapport.Components;
using Rapport.Data;
using Rapport.Features.Account;
using Rapport.Features.Admin;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Features.Jobs;
using Rapport.Features.Mail;
using Rapport.Features.Notifications;
using Rapport.Features.Portal;
using Rapport.Features.ReplyCheck;
using Rapport.Features.Promises;
using Rapport.Features.Reports;
using Rapport.Features.Search;
using Rapport.Features.Setup;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

var isCommand = AdminCommands.IsCommand(args);
// Settings and static files come from the app's own folder; ./data is relative to where Rapport is started.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = isCommand ? [] : args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddRapportLogging(isCommand);
builder.AddRapportWeb();
builder.AddRapportData();
builder.AddRapportDataProtection();
builder.AddRapportAuth();
builder.AddTickets();
builder.AddCustomers();
builder.AddAttachments();
builder.AddMail();
builder.AddSla();
builder.AddSearch();
builder.AddPromises();
builder.AddNotifications();
builder.AddMailboxes();
builder.AddApiTokens();
builder.AddSetup();
builder.AddReports();
builder.AddJobs();
PortalSessions.AddPortal(builder);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddCascadingAuthenticationState();

var app = builder.Build();
if (isCommand)
{
    return await AdminCommands.RunAsync(app.Services, args);
}
await app.MigrateOnStartupAsync();

app.UseSecurityHeaders();
// The API answers errors with ProblemDetails; pages show the error page.
app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler());
app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), pages => pages.UseExceptionHandler("/Error", createScopeForErrors: true));
app.UseStatusCodePages();
app.UseAuthentication();
app.UseTwoFactorRequirement();
app.UseCrossSiteRequestCheck();
app.UseAuthorization();
app.UseAntiforgery();

app.MapRapportWeb();
app.MapTicketsApi();
app.MapCustomersApi();
app.MapAttachmentsApi();
app.MapMailApi();
app.MapMailboxesApi();
app.MapAgentsApi();
app.MapApiTokensApi();
app.MapJobsApi();
app.MapAccountEndpoints();
PortalSessions.MapPortal(app);
CheckDraft.MapReplyCheckApi(app);
SlaSettings.MapSlaSettingsApi(app);
app.MapPromisesApi();
app.MapNotificationsApi();
app.MapReportsApi();
app.MapSearchApi();
app.MapStaticAssets();
// SecurityHeaders sets the whole page policy, frame-ancestors included, instead of Blazor's frame-ancestors-only one.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
app.PrintSetupLinkWhenNeeded();

await app.RunAsync();
return 0;

public partial class Program;
