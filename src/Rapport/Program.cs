using Rapport.Data;

var builder = WebApplication.CreateBuilder(args);
builder.AddRapportData();
var app = builder.Build();
app.Run();

public partial class Program;
