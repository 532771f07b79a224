// The program tests/Integration/consumer.sh builds in a fresh console project that references the packed MupGen
// package and TorchSharp-cpu from NuGet, as a user's would, with Model.cs (docs/API.md's model, as a user pastes it).
// Prints one "ok ..." or "FAIL ..." line per check and exits 1 if any check failed.
using System.Globalization;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

int failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine((ok ? "ok   " : "FAIL ") + what);
    if (!ok) failures++;
}
string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

// The generated code is there: the class implements IMupModel through the generator's partial part.
Check(typeof(IMupModel).IsAssignableFrom(typeof(Mlp)), "Mlp implements MupGen.IMupModel (generated code compiled)");

torch.set_num_threads(1);
torch.manual_seed(1);
var model = new Mlp(width: 1024);
model.MupInitialize();                                        // µP init for width 1024 against base 64

var rows = model.MupDescribe();
Check(string.Join(",", rows.Select(r => r.Name)) == "input.weight,input.bias,hidden.weight,hidden.bias,readout.weight,readout.bias",
    "MupDescribe lists the six parameters: " + string.Join(",", rows.Select(r => r.Name)));
var hidden = rows.Single(r => r.Name == "hidden.weight");
var readout = rows.Single(r => r.Name == "readout.weight");
Check(hidden.Role == MupRole.Hidden && hidden.WidthMultiplierIn == 16 && hidden.AdamLrScale == 1.0 / 16,
    $"hidden.weight: role {hidden.Role}, m_in {F(hidden.WidthMultiplierIn)}, Adam lr x{F(hidden.AdamLrScale)} (want Hidden, 16, 0.0625)");
Check(readout.Role == MupRole.Readout && readout.AdamLrScale == 1.0,
    $"readout.weight: role {readout.Role}, Adam lr x{F(readout.AdamLrScale)} (want Readout, 1)");
Check(Math.Abs(model.MupReadoutMultiplier - 1.0 / 16) < 1e-12,
    $"MupReadoutMultiplier {F(model.MupReadoutMultiplier)} (want 1/16)");

// The init follows the rules: hidden U(±1/sqrt(1024)), readout back at its base bound U(±1/sqrt(64)).
var p = model.named_parameters().ToDictionary(t => t.name, t => t.parameter);
double hiddenMax = p["hidden.weight"].abs().max().item<float>();
double readoutMax = p["readout.weight"].abs().max().item<float>();
Check(hiddenMax <= 1 / Math.Sqrt(1024) + 1e-6 && hiddenMax > 0.9 / Math.Sqrt(1024),
    $"hidden.weight max |w| {F(hiddenMax)} within U(±{F(1 / Math.Sqrt(1024))})");
Check(readoutMax <= 1 / Math.Sqrt(64) + 1e-6 && readoutMax > 0.9 / Math.Sqrt(64),
    $"readout.weight max |w| {F(readoutMax)} within U(±{F(1 / Math.Sqrt(64))})");

// One optimizer step through the µP AdamW groups.
var optimizer = model.MupAdamW(lr: 3e-3, weightDecay: 0.1);  // TorchSharp's AdamW with per-parameter µP groups
var lrs = optimizer.ParamGroups.Select(g => g.LearningRate).OrderBy(v => v).ToArray();
Check(lrs.Length >= 2 && Math.Abs(lrs[0] - 3e-3 / 16) < 1e-12 && Math.Abs(lrs[^1] - 3e-3) < 1e-12,
    "AdamW group learning rates " + string.Join(" ", lrs.Select(F)) + " (want 3e-3/16 for the hidden weight, 3e-3 for the rest)");

var x = torch.randn(64, 32);
var y = torch.randint(0, 10, 64);
var before = p["hidden.weight"].detach().clone();
double loss0, loss1;
using (var scope = torch.NewDisposeScope())
{
    optimizer.zero_grad();
    var loss = functional.cross_entropy(model.call(x), y);
    loss.backward();
    optimizer.step();
    loss0 = loss.item<float>();
}
using (torch.no_grad())
    loss1 = functional.cross_entropy(model.call(x), y).item<float>();
double moved = (p["hidden.weight"] - before).abs().max().item<float>();
Check(double.IsFinite(loss0) && double.IsFinite(loss1) && loss1 < loss0,
    $"one AdamW step: loss {F(loss0)} -> {F(loss1)} (finite, lower)");
// Adam's first step moves every entry by about lr: the hidden weight's lr is 3e-3/16.
Check(moved > 0.5 * 3e-3 / 16 && moved < 2 * 3e-3 / 16,
    $"hidden.weight moved by at most {F(moved)} (want about its lr {F(3e-3 / 16)})");

Console.WriteLine(failures == 0 ? "CONSUMER OK" : $"CONSUMER FAILED ({failures} checks)");
return failures == 0 ? 0 : 1;
