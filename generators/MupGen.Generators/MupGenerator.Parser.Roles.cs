using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using MupGen.Generators.Model;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    internal static partial class Parser
    {
        /// <summary>Role inference: which dimensions of a tensor are infinite (width-like) for a role attribute, and
        /// the role of a matrix from its attribute.</summary>
        internal sealed partial class FactBuilder
        {
            private static Role MatrixRole(RoleAttribute attribute) => attribute switch
            {
                RoleAttribute.Readout => Role.Readout,
                RoleAttribute.Input => Role.Input,
                RoleAttribute.Hidden => Role.Hidden,
                _ => Role.Fixed,
            };

            /// <summary>Which dimensions of a tensor a role attribute declares width-scaled.</summary>
            private static HashSet<int> InfiniteByRole(TensorDraft tensor, RoleAttribute attribute)
            {
                var result = new HashSet<int>();
                if (tensor.IsMatrix)
                {
                    if (attribute is RoleAttribute.Input or RoleAttribute.Hidden)
                        result.Add(tensor.FanOut[0]);
                    if (attribute is RoleAttribute.Readout or RoleAttribute.Hidden)
                        result.Add(tensor.FanIn[0]);
                }
                else if (attribute is RoleAttribute.Input or RoleAttribute.Hidden && tensor.Dims.Count > 0)
                {
                    result.Add(0);
                }
                return result;
            }
        }
    }
}
