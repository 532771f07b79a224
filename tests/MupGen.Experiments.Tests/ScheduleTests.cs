using System.Linq;
using MupGen.Samples.Gpt;
using MupGen.Samples.Mlp;
using Xunit;

namespace MupGen.Experiments.Tests;

/// <summary>The samples' learning-rate schedule (linear warmup over the first 10% of the steps, then linear decay to
/// 0), which every sweep trial of <c>samples/Mlp</c>, <c>samples/Gpt</c> and <c>mupgen sweep</c> trains under.</summary>
public class ScheduleTests
{
    [Fact]
    public void Warms_up_linearly_over_the_first_tenth_then_decays_linearly_towards_zero()
    {
        // 150 steps: 15 warmup steps reaching 1 at step 14, then 135 steps from 1 down to 1/135.
        Assert.Equal(1.0 / 15, TeacherTask.LearningRateFactor(0, 150), 12);
        Assert.Equal(7.0 / 15, TeacherTask.LearningRateFactor(6, 150), 12);
        Assert.Equal(1.0, TeacherTask.LearningRateFactor(14, 150), 12);
        Assert.Equal(1.0, TeacherTask.LearningRateFactor(15, 150), 12);
        Assert.Equal(1.0 - 67.0 / 135, TeacherTask.LearningRateFactor(82, 150), 12);
        Assert.Equal(1.0 / 135, TeacherTask.LearningRateFactor(149, 150), 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(60)]
    [InlineData(150)]
    public void Is_positive_at_most_one_and_peaks_once(int steps)
    {
        var f = Enumerable.Range(0, steps).Select(s => TeacherTask.LearningRateFactor(s, steps)).ToArray();
        Assert.All(f, v => Assert.InRange(v, double.Epsilon, 1.0));
        int peak = System.Array.IndexOf(f, f.Max());
        Assert.Equal(1.0, f[peak], 12);
        for (int s = 1; s <= peak; s++)
            Assert.True(f[s] > f[s - 1]);
        for (int s = peak + 2; s < steps; s++)
            Assert.True(f[s] < f[s - 1]);
    }

    [Fact]
    public void The_mlp_and_gpt_tasks_train_under_the_same_schedule()
    {
        foreach (int steps in new[] { 20, 60, 150 })
            for (int s = 0; s < steps; s++)
                Assert.Equal(TeacherTask.LearningRateFactor(s, steps), CharTask.LearningRateFactor(s, steps));
    }
}
