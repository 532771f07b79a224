// corpus: bare
// No references at all, and user types named like MupGen's and TorchSharp's.
namespace MupGen { public class WidthAttribute : System.Attribute { public WidthAttribute(object o) { } } public interface IMupModel { } }
namespace TorchSharp { public static class torch { public static class nn { public class Module<T, U> { public Module(string s) { } } } } }
namespace Corpus.Bare { public partial class M : TorchSharp.torch.nn.Module<int, int> { public M([MupGen.Width("x")] int w) : base("m") { } } }
