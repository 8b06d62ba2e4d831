package io.ioth.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code ioth} command: the paper's scenarios from a shell. The launcher {@code ./ioth} at the repository root
 * builds the examples jar on first use and runs this class.
 *
 * <p>Errors are one line on stderr and a non-zero exit (1 for a failure, 2 for a usage error); {@code --verbose}
 * adds the stack trace.
 */
@Command(name = "ioth", mixinStandardHelpOptions = true, version = "ioth 0.1.0",
        description = "The Internet of Threads for the JVM: user-space TCP/IP stacks on a virtual Ethernet (VDE).",
        subcommands = {DemoCommand.class, ServeCommand.class, FetchCommand.class, PingCommand.class,
                SwitchCommand.class, CommandLine.HelpCommand.class})
public final class Ioth {
    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces with errors, and more detail.")
    boolean verbose;

    public static void main(final String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line, returns the exit code (tests call this). */
    public static int run(final String... args) {
        final CommandLine cl = new CommandLine(new Ioth());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            final boolean verbose = parsed.matchedOption("--verbose") != null
                    || parsed.subcommands().stream().anyMatch(p -> p.matchedOption("--verbose") != null);
            cmd.getErr().println("ioth " + cmd.getCommandName() + ": " + message(e));
            if (verbose) {
                e.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, argv) -> {
            final CommandLine c = ex.getCommandLine();
            c.getErr().println("ioth " + c.getCommandName() + ": " + ex.getMessage().lines().findFirst().orElse("")
                    + " (try '" + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return 2;
        });
        return cl.execute(args);
    }

    /** The one-line form of a failure: its own message, or its cause's, never a bare class name when avoidable. */
    static String message(final Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        final String m = t.getMessage();
        if (m == null) {
            return t.getClass().getSimpleName();
        }
        if (t instanceof java.io.IOException) { // its message names the address or the file
            return m;
        }
        return t instanceof IllegalArgumentException || t instanceof IllegalStateException ? m
                : t.getClass().getSimpleName() + ": " + m;
    }
}
