package io.ioth.benchmarks;

import io.ioth.benchmarks.report.BenchResult;
import io.ioth.benchmarks.report.Chart;
import io.ioth.benchmarks.report.Json;
import io.ioth.benchmarks.report.Machine;
import io.ioth.benchmarks.report.Markdown;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a benchmark profile and writes the results: JMH's JSON, a Markdown table, a PNG chart and
 * the machine's description, and puts them into {@code BENCHMARKS.md} at the repository root
 * (between its generated-results markers, with the exact command).
 *
 * <pre>
 * mvn -B -q -DskipTests package
 * java -cp benchmarks/target/benchmarks.jar io.ioth.benchmarks.Report --profile quick
 *
 *   --profile quick|full    how long to run (see {@link Profile})
 *   --out DIR               where results.json/.md and chart.png go (default: benchmarks/results)
 *   --include REGEX         only benchmarks matching (repeatable; JMH's include syntax); the rows
 *                           of other benchmarks in the previous results.json are kept, marked
 *                           with the run they come from
 *   --render FILE.json      no run: rebuild the table, chart and BENCHMARKS.md from a JMH JSON file
 *   --no-update             leave BENCHMARKS.md alone
 * </pre>
 *
 * Parameter values that need real tools ({@link Suite#NEEDS}, e.g. {@code wire=vde_switch}) run
 * only where they are available (root and the tools on PATH); otherwise they are skipped and the
 * report says why.
 */
public final class Report {
    static final String BEGIN = "<!-- BEGIN GENERATED RESULTS (io.ioth.benchmarks.Report; edits here are overwritten) -->";
    static final String END = "<!-- END GENERATED RESULTS -->";

    private Report() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Profile profile = null;
        Path out = null, render = null;
        List<String> includes = new ArrayList<>();
        boolean update = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--profile": profile = parseProfile(value(args, ++i, a)); break;
                case "--out": out = Path.of(value(args, ++i, a)); break;
                case "--include": includes.add(value(args, ++i, a)); break;
                case "--render": render = Path.of(value(args, ++i, a)); break;
                case "--no-update": update = false; break;
                case "-h": case "--help": usage(null); return;
                default: usage("unknown argument: " + a); System.exit(2); return;
            }
        }
        if (profile == null && render == null) {
            usage("--profile quick|full is required");
            System.exit(2);
            return;
        }
        Path root = repositoryRoot();
        if (out == null) out = root != null ? root.resolve("benchmarks/results") : Path.of("benchmark-results");
        Files.createDirectories(out);
        String[] command = command(args, root);

        Path json = out.resolve("results.json");
        Map<String, String> run = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        int failures = 0;
        if (render == null) {
            List<Suite.Run> runs = Suite.plan(includes);
            int combos = 0;
            for (Suite.Run r : runs) combos += Suite.missing(r).isEmpty() ? r.combinations() : 0;
            System.out.printf("profile %s: %d runs, %d parameter combinations, about %d min%n", profile.cliName(),
                    runs.size(), combos, Math.round(Math.ceil(combos * profile.secondsPerCombination() / 60)));
            ZonedDateTime start = ZonedDateTime.now(ZoneOffset.UTC);
            run.put("Build", command[0]);
            run.put("Command", command[1]);
            run.put("Date", start.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
            run.put("Commit", commit(root));
            run.put("Profile", profile.cliName() + ": " + profile.describe());
            run.put("Load average before (1/5/15 min)", Machine.loadAverage());
            List<RunResult> results = new ArrayList<>();
            for (Suite.Run r : runs) {
                List<String> missing = Suite.missing(r);
                if (!missing.isEmpty()) {
                    notes.add("Skipped `" + r + "`: needs " + String.join(", ", missing) + ".");
                    continue;
                }
                try {
                    results.addAll(new Runner(profile.apply(r).build()).run());
                } catch (RunnerException e) {
                    failures++;
                    notes.add("**Failed** `" + r + "`: " + rootMessage(e));
                    System.err.println("FAILED " + r + ": " + e);
                }
            }
            run.put("Load average after", Machine.loadAverage());
            run.put("Duration", human(Duration.between(start, ZonedDateTime.now(ZoneOffset.UTC))));
            ByteArrayOutputStream jmhJson = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(jmhJson, true, StandardCharsets.UTF_8)) {
                ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
            }
            List<String> rows = new ArrayList<>();
            for (String e : Json.elements(jmhJson.toString(StandardCharsets.UTF_8))) rows.add(withOrigin(e, run));
            if (!includes.isEmpty() && Files.exists(json)) {
                // a partial run: the other benchmarks' rows stay, each still marked with its own run
                Set<String> selected = new HashSet<>();
                for (Suite.Run r : runs) selected.add(r.benchmark);
                Map<String, String> previous = new LinkedHashMap<>();
                Path prevTxt = out.resolve("run.txt");
                if (Files.exists(prevTxt)) readRunTxt(prevTxt, previous, new ArrayList<>());
                rows = merge(Files.readString(json), previous, selected, rows);
            }
            Files.writeString(json, Json.compact("[" + String.join(",", rows) + "]"));
            Files.writeString(out.resolve("run.txt"), lines(run) + lines(notes));
        } else {
            Path runTxt = render.resolveSibling("run.txt");
            if (Files.exists(runTxt)) readRunTxt(runTxt, run, notes);
            run.putIfAbsent("Build", "(unknown: rendered from " + render + ")");
            run.putIfAbsent("Command", "(unknown)");
            if (!render.toAbsolutePath().normalize().equals(json.toAbsolutePath().normalize())) {
                Files.copy(render, json, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(out.resolve("run.txt"), lines(run) + lines(notes));
            }
        }

        List<BenchResult> results = BenchResult.parse(Files.readString(json));
        Map<String, String> machine = Machine.describe();
        String chartNote = "";
        Path png = out.resolve("chart.png");
        try {
            List<String> sub = new ArrayList<>();
            sub.add(machine.get("CPU") + " \u00b7 " + machine.get("Memory") + " \u00b7 " + machine.get("JDK"));
            sub.add(machine.get("OS") + " \u00b7 kernel " + machine.get("Kernel") + " \u00b7 " + run.getOrDefault("Profile", "")
                    + " \u00b7 " + run.getOrDefault("Date", ""));
            Chart.write(results, "IoTh for Netty \u2014 benchmarks", sub, png);
        } catch (IOException | RuntimeException | Error e) { // no fonts on a bare headless JDK, for one
            chartNote = "Chart not written: " + e + "\n\n";
            png = null;
        }

        Path md = out.resolve("results.md");
        Path benchMd = root != null ? root.resolve("BENCHMARKS.md") : null;
        Files.writeString(md, section(results, machine, run, notes, out, png, md.getParent()) + chartNote);
        System.out.println("wrote " + json + ", " + md + (png != null ? ", " + png : ""));
        if (update && benchMd != null) {
            updateBenchmarksMd(benchMd, section(results, machine, run, notes, out, png, root) + chartNote);
            System.out.println("updated " + benchMd);
        }
        if (failures > 0) System.exit(1);
    }

    /** The key of JMH result objects under which the runner records the run a row comes from. */
    static final String ORIGIN = "iothRun";

    /**
     * {@code element} (one JMH result object) with the run it comes from ({@code run}'s Date, Commit,
     * Profile and Command) recorded under {@link #ORIGIN}, unless it already has one or {@code run}
     * has no date.
     */
    static String withOrigin(String element, Map<String, String> run) {
        if (Json.object(Json.parse(element)).containsKey(ORIGIN) || !run.containsKey("Date")) return element;
        StringBuilder b = new StringBuilder("{\"").append(ORIGIN).append("\":{");
        String sep = "";
        for (String k : List.of("Date", "Commit", "Profile", "Command")) {
            if (!run.containsKey(k)) continue;
            b.append(sep).append(Json.quote(k.toLowerCase(java.util.Locale.ROOT))).append(':')
                    .append(Json.quote(run.get(k)));
            sep = ",";
        }
        b.append('}');
        String rest = element.trim().substring(1).trim();
        return b.append(rest.startsWith("}") ? "" : ",").append(rest).toString();
    }

    /**
     * The rows of a partial run ({@code --include}) merged into the previous results: the previous
     * rows of benchmarks this run did not select (marked with {@code previousRun} unless they
     * already carry their own run), then this run's rows.
     */
    static List<String> merge(String previousJson, Map<String, String> previousRun, Set<String> selected,
                              List<String> rows) {
        List<String> merged = new ArrayList<>();
        for (String e : Json.elements(previousJson)) {
            String benchmark = String.valueOf(Json.object(Json.parse(e)).get("benchmark"));
            if (!selected.contains(benchmark)) merged.add(withOrigin(e, previousRun));
        }
        merged.addAll(rows);
        return merged;
    }

    /**
     * One note per earlier run that rows of the table come from (rows whose {@link #ORIGIN} date is
     * not {@code run}'s): a run with {@code --include} keeps the other benchmarks' previous rows.
     */
    static List<String> originNotes(List<BenchResult> results, Map<String, String> run) {
        Map<String, Set<String>> byRun = new LinkedHashMap<>();
        Map<String, Map<String, String>> origins = new LinkedHashMap<>();
        for (BenchResult r : results) {
            String date = r.origin.get("date");
            if (date == null || date.equals(run.get("Date"))) continue;
            String key = date + "\u0000" + r.origin.getOrDefault("commit", "");
            byRun.computeIfAbsent(key, k -> new TreeSet<>()).add(r.shortName());
            origins.putIfAbsent(key, r.origin);
        }
        List<String> notes = new ArrayList<>();
        byRun.forEach((key, names) -> {
            Map<String, String> o = origins.get(key);
            StringBuilder b = new StringBuilder("Rows of ");
            String sep = "";
            for (String n : names) {
                b.append(sep).append('`').append(n).append('`');
                sep = ", ";
            }
            b.append(" are from an earlier run: ").append(o.get("date"));
            if (o.containsKey("commit")) b.append(", commit ").append(o.get("commit"));
            if (o.containsKey("profile")) b.append(", ").append(o.get("profile"));
            if (o.containsKey("command")) b.append(", `").append(o.get("command")).append('`');
            notes.add(b.append('.').toString());
        });
        return notes;
    }

    /** The generated part of BENCHMARKS.md; links are relative to {@code linkBase}. */
    static String section(List<BenchResult> results, Map<String, String> machine, Map<String, String> run,
                          List<String> notes, Path out, Path png, Path linkBase) {
        StringBuilder b = new StringBuilder();
        b.append("## Latest results\n\n");
        b.append("```sh\n").append(run.get("Build")).append('\n').append(run.get("Command")).append("\n```\n\n");
        b.append("| Run | |\n|---|---|\n");
        run.forEach((k, v) -> {
            if (!k.equals("Build") && !k.equals("Command")) b.append("| ").append(k).append(" | ").append(v).append(" |\n");
        });
        machine.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        b.append('\n');
        if (png != null) b.append("![results](").append(link(linkBase, png)).append(")\n\n");
        b.append(Markdown.table(results)).append('\n');
        List<String> allNotes = new ArrayList<>(originNotes(results, run));
        allNotes.addAll(notes);
        notes = allNotes;
        b.append("Score \u00b1 error is JMH's mean with the half-width of its 99.9% confidence interval (\u2014: too few iterations). ")
                .append("Percentiles are of single operations (sampled modes). Alloc is `gc.alloc.rate.norm`: bytes allocated ")
                .append("per operation by the whole JVM (client and server threads).")
                .append(results.stream().anyMatch(r -> r.bytesPerOp > 0)
                        ? " GB/s is the bytes one operation processes (its size parameter) times operations per second,"
                                + " in 10^9 bytes/s." : "")
                .append(results.stream().anyMatch(r -> r.metric != null)
                        ? " Rows in bytes per stack or connection (`Scale`) are one shot in a fresh JVM: the GC-settled used"
                                + " heap after building the idle population minus before, divided by its size (JMH's time of"
                                + " the shot is not shown; no error estimate)." : "")
                .append("\n\n");
        for (String n : notes) b.append("- ").append(n).append('\n');
        if (!notes.isEmpty()) b.append('\n');
        b.append("Raw JMH output: [").append(link(linkBase, out.resolve("results.json"))).append("](")
                .append(link(linkBase, out.resolve("results.json"))).append(").\n");
        return b.toString();
    }

    /** Replaces the text between the markers (or appends the markers and the section). */
    static void updateBenchmarksMd(Path file, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n";
        String block = BEGIN + "\n" + section + END + "\n";
        int b = text.indexOf(BEGIN), e = text.indexOf(END);
        if (b >= 0 && e > b) {
            text = text.substring(0, b) + block + text.substring(e + END.length()).replaceFirst("^\n", "");
        } else {
            text = text + (text.endsWith("\n\n") ? "" : "\n") + block;
        }
        Files.writeString(file, text);
    }

    private static String link(Path base, Path target) {
        Path t = target.toAbsolutePath().normalize(), bse = base.toAbsolutePath().normalize();
        return (t.startsWith(bse) ? bse.relativize(t) : t).toString().replace(File.separatorChar, '/');
    }

    /** The directory above the working directory whose pom.xml is the ioth-parent, or null. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom) && Files.readString(pom).contains("<artifactId>ioth-parent</artifactId>")) return p;
            } catch (IOException e) {
                // unreadable: keep looking
            }
        }
        return null;
    }

    /**
     * The build and the command line that produced these results, as typed at the repository root
     * (a build into another output folder, {@code -Dioth.target=target-x}, shows as such).
     */
    static String[] command(String[] args, Path root) {
        String cp = System.getProperty("java.class.path", "");
        String jar = "benchmarks/target/benchmarks.jar";
        if (!cp.contains(File.pathSeparator) && cp.endsWith(".jar")) {
            Path p = Path.of(cp).toAbsolutePath().normalize();
            jar = root != null && p.startsWith(root) ? root.relativize(p).toString().replace(File.separatorChar, '/') : p.toString();
        }
        String build = "mvn -B -q -DskipTests package";
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^benchmarks/(target-[^/]+)/benchmarks\\.jar$").matcher(jar);
        if (m.matches()) build += " -Dioth.target=" + m.group(1);
        return new String[] {build, "java -cp " + jar + " " + Report.class.getName() + (args.length == 0 ? "" : " " + String.join(" ", args))};
    }

    /** The checked-out commit, read from .git without running git; "unknown" outside a work tree. */
    static String commit(Path root) {
        if (root == null) return "unknown";
        try {
            String head = Files.readString(root.resolve(".git/HEAD")).trim();
            if (!head.startsWith("ref: ")) return head.substring(0, Math.min(12, head.length()));
            String ref = head.substring(5);
            Path loose = root.resolve(".git").resolve(ref);
            if (Files.exists(loose)) return Files.readString(loose).trim().substring(0, 12) + " (" + ref.replace("refs/heads/", "") + ")";
            for (String line : Files.readAllLines(root.resolve(".git/packed-refs"))) {
                if (line.endsWith(" " + ref)) return line.substring(0, 12) + " (" + ref.replace("refs/heads/", "") + ")";
            }
        } catch (IOException | RuntimeException e) {
            // not a plain .git directory
        }
        return "unknown";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        String m = String.valueOf(t.getMessage()).replace('\n', ' ');
        return t.getClass().getSimpleName() + ": " + (m.length() > 300 ? m.substring(0, 300) + "\u2026" : m);
    }

    private static String human(Duration d) {
        long s = d.getSeconds();
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }

    private static String lines(Map<String, String> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
        return b.toString();
    }

    private static String lines(List<String> notes) {
        StringBuilder b = new StringBuilder();
        for (String n : notes) b.append("note: ").append(n).append('\n');
        return b.toString();
    }

    private static void readRunTxt(Path p, Map<String, String> run, List<String> notes) throws IOException {
        for (String line : Files.readAllLines(p)) {
            if (line.startsWith("note: ")) {
                notes.add(line.substring(6));
            } else {
                int c = line.indexOf(": ");
                if (c > 0) run.put(line.substring(0, c), line.substring(c + 2));
            }
        }
    }

    private static Profile parseProfile(String s) {
        for (Profile p : Profile.values()) {
            if (p.cliName().equals(s)) return p; // smoke too: checks the runner itself in seconds
        }
        throw new IllegalArgumentException("--profile must be quick or full, not " + s);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }

    private static void usage(String error) {
        if (error != null) System.err.println(error);
        System.err.println("usage: java -cp benchmarks/target/benchmarks.jar io.ioth.benchmarks.Report --profile quick|full"
                + " [--out DIR] [--include REGEX]... [--render FILE.json] [--no-update]");
    }
}
