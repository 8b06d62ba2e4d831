package io.ioth.vde.testing;

/** The outcome of a finished command: exit status and captured output. */
public record ExecResult(int exit, String out, String err) {
    public boolean ok() { return exit == 0; }

    /** Returns this if the command succeeded, else throws an AssertionError showing its output. */
    public ExecResult check(String what) {
        if (exit != 0) throw new AssertionError(what + " exited " + exit + "\nstdout: " + out + "\nstderr: " + err);
        return this;
    }
}
