using System.ComponentModel;
using System.Diagnostics;

namespace Microsoft.ML.ElectrostaticPruning.Tests.PyTorch;

/// <summary>
/// Runs <c>torch_reference.py</c> (copied next to the test assembly, with the shipped <c>electrostatic_pruning_torch.py</c>)
/// with a Python that has PyTorch and torchvision: <c>/usr/bin/python3</c> (Debian's python3-torch; the pyenv python3
/// first on PATH has none) unless <see cref="Variable"/> names another. Without PyTorch the tests fail, saying how to
/// install it; they are never skipped.
/// </summary>
internal static class PythonTorch
{
    /// <summary>Environment variable naming the Python executable to use.</summary>
    public const string Variable = "ELECTROSTATIC_PRUNING_PYTHON";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>The Python executable.</summary>
    public static string Executable => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } python ? python : "/usr/bin/python3";

    /// <summary>Runs <c>torch_reference.py <paramref name="command"/> <paramref name="folder"/></c>; returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">Python or PyTorch is missing, or the script failed; the message says how to install PyTorch.</exception>
    public static string RunReferenceScript(string command, string folder)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "PyTorch", "torch_reference.py");
        var start = new ProcessStartInfo(Executable, [script, command, folder])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception error)
        {
            throw new InvalidOperationException($"Python '{Executable}' cannot be started ({error.Message}). {InstallHint}", error);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"torch_reference.py {command} did not finish within {Timeout.TotalMinutes} minutes.");
            }

            if (process.ExitCode != 0)
            {
                string missing = stderr.Result.Contains("No module named 'torch", StringComparison.Ordinal) ? $"PyTorch is not installed for '{Executable}'. {InstallHint}\n" : string.Empty;
                throw new InvalidOperationException($"{missing}torch_reference.py {command} failed with exit code {process.ExitCode}:\n{stderr.Result}");
            }

            return stdout.Result;
        }
    }

    private static string InstallHint =>
        $"The PyTorch interop tests need PyTorch and torchvision: on Debian or Ubuntu run 'apt-get install -y python3-torch python3-torchvision' (it installs them for /usr/bin/python3), or set {Variable} to a Python that has torch and torchvision.";
}
