// The program of the transitive case in tests/Integration/consumer.sh: this console project references only a class
// library (which references MupGen and TorchSharp-cpu and holds Model.cs), so MupGen's build step reaches it through
// buildTransitive. One init and one AdamW step; prints TRANSITIVE OK.
using System.Linq;
using MupGen;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

torch.set_num_threads(1);
torch.manual_seed(1);
var model = new Mlp(width: 256);
model.MupInitialize();
var optimizer = model.MupAdamW(lr: 3e-3, weightDecay: 0.1);
var x = torch.randn(16, 32);
var y = torch.randint(0, 10, 16);
optimizer.zero_grad();
var loss = functional.cross_entropy(model.call(x), y);
loss.backward();
optimizer.step();
double l = loss.item<float>();
bool ok = model is IMupModel && double.IsFinite(l) && model.MupDescribe().Count == 6;
Console.WriteLine($"loss {l.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}");
Console.WriteLine(ok ? "TRANSITIVE OK" : "TRANSITIVE FAILED");
return ok ? 0 : 1;
