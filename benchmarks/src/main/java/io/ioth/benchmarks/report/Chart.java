package io.ioth.benchmarks.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results as a PNG (plain Java2D): one panel per benchmark method, one horizontal bar per
 * parameter combination, each panel on its own linear scale from zero. Throughput panels draw the
 * score with its error bar (higher is better); latency panels draw p50 as the bar, a line out to
 * p99 and a dot at the mean (lower is better); average-time panels draw the mean (lower is better),
 * except benchmarks whose op is a number of bytes ({@code Op#bytesParam}), drawn as GB/s. Bars are
 * coloured by the {@code transport} (or
 * {@code wire}) parameter, so NIO and IoTh rows stand out side by side.
 */
public final class Chart {
    private static final int WIDTH = 1200, LABEL_W = 300, VALUE_W = 290, ROW_H = 24, BAR_H = 15;
    private static final int LEFT = 16, PLOT_X = LEFT + LABEL_W, PLOT_W = WIDTH - PLOT_X - VALUE_W;
    /** Bars of benchmarks without a transport or wire parameter. */
    private static final Color NEUTRAL = new Color(0x4C72B0);
    /** One colour per transport or wire, in order of appearance; distinct from each other and from {@link #NEUTRAL}. */
    private static final Color[] PALETTE = {
            new Color(0xDD8452), new Color(0x55A868), new Color(0xC44E52), new Color(0x8172B3),
            new Color(0x937860), new Color(0xDA8BC3), new Color(0x8C8C8C), new Color(0xCCB974),
            new Color(0x64B5CD), new Color(0x2F4B7C), new Color(0xA05195), new Color(0x3B8B3B)};
    private static final Color GRID = new Color(0xE3E3E3), TEXT = new Color(0x222222), MUTED = new Color(0x666666);

    private Chart() {}

    /** Writes the chart for {@code results} to {@code png}; {@code subtitle} lines go under the title. */
    public static void write(List<BenchResult> results, String title, List<String> subtitle, Path png) throws IOException {
        Map<String, List<BenchResult>> panels = new LinkedHashMap<>();
        for (BenchResult r : results) panels.computeIfAbsent(r.shortName() + "\u0000" + r.mode, k -> new ArrayList<>()).add(r);
        Map<String, Color> colours = new LinkedHashMap<>();
        colours.put("", NEUTRAL);
        for (BenchResult r : results) {
            colours.computeIfAbsent(colourKey(r), k -> PALETTE[(colours.size() - 1) % PALETTE.length]);
        }
        List<List<String>> legend = legendLines(colours.keySet());

        int header = 44 + 18 * subtitle.size() + 22 * legend.size() + 4;
        int height = header;
        for (List<BenchResult> p : panels.values()) height += 30 + p.size() * ROW_H + 26;
        height += 10;

        BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            Font base = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
            Font bold = base.deriveFont(Font.BOLD, 14f);
            Font small = base.deriveFont(11.5f);

            g.setColor(TEXT);
            g.setFont(base.deriveFont(Font.BOLD, 18f));
            g.drawString(title, LEFT, 28);
            g.setFont(small);
            g.setColor(MUTED);
            int y = 48;
            for (String s : subtitle) {
                g.drawString(s, LEFT, y);
                y += 18;
            }
            // legend: colour per transport/wire, wrapped to the chart's width
            y += 6;
            g.setFont(base);
            for (List<String> line : legend) {
                int x = LEFT;
                for (String key : line) {
                    g.setColor(colours.get(key));
                    g.fillRect(x, y - 11, 14, 12);
                    g.setColor(TEXT);
                    g.drawString(key, x + 20, y);
                    x += legendWidth(key);
                }
                y += 22;
            }
            y = header;

            for (List<BenchResult> p : panels.values()) {
                BenchResult first = p.get(0);
                // a benchmark whose op is a number of bytes is drawn as its data rate (GB/s, higher is better)
                boolean gb = first.bytesPerOp > 0;
                boolean thr = gb || first.isThroughput();
                boolean sampled = first.hasOpPercentiles();
                g.setFont(bold);
                g.setColor(TEXT);
                String how = thr ? "higher is better"
                        : sampled ? "lower is better; bar p50, line to p99, dot mean" : "lower is better";
                String unit = gb ? "GB/s" : first.unit();
                g.drawString(first.shortName() + "  \u2014  " + unit + "  (" + how + ")", LEFT, y + 16);
                y += 30;

                // the scale follows the scores (and p99), not the error bars: a wide confidence
                // interval from few iterations must not squash the bars; whiskers are clipped
                double max = 0;
                for (BenchResult r : p) {
                    double v = gb ? r.gbPerSecond() : r.score;
                    double top = sampled ? r.percentile(99.0) : v * 1.15;
                    if (!Double.isNaN(top)) max = Math.max(max, top);
                    if (!Double.isNaN(v)) max = Math.max(max, v);
                }
                double step = niceStep(max > 0 ? max / 4 : 1);
                double scale = Math.max(step * Math.ceil(max / step), step);
                int plotTop = y;
                int plotBottom = y + p.size() * ROW_H;
                g.setFont(small);
                for (double t = 0; t <= scale + step / 2; t += step) {
                    int gx = PLOT_X + (int) Math.round(t / scale * PLOT_W);
                    g.setColor(GRID);
                    g.drawLine(gx, plotTop - 4, gx, plotBottom);
                    g.setColor(MUTED);
                    String lbl = Markdown.num(t).replaceAll("\\.0+$", "");
                    g.drawString(lbl, gx - g.getFontMetrics().stringWidth(lbl) / 2, plotBottom + 15);
                }
                for (BenchResult r : p) {
                    int cy = y + ROW_H / 2;
                    g.setFont(base);
                    g.setColor(TEXT);
                    String label = r.paramString().isEmpty() ? "(no parameters)" : r.paramString();
                    g.drawString(fit(g.getFontMetrics(), label, LABEL_W - 12), LEFT, cy + 5);
                    Color c = colours.get(colourKey(r));
                    String value;
                    if (sampled) {
                        double p50 = r.percentile(50.0), p99 = r.percentile(99.0);
                        bar(g, c, cy, p50, scale);
                        int x50 = xOf(p50, scale), x99 = xOf(p99, scale);
                        g.setColor(c.darker());
                        g.setStroke(new BasicStroke(2f));
                        g.drawLine(x50, cy, x99, cy);
                        g.drawLine(x99, cy - 5, x99, cy + 5);
                        g.setStroke(new BasicStroke(1f));
                        int xm = xOf(r.score, scale);
                        g.setColor(TEXT);
                        g.fillOval(xm - 3, cy - 3, 7, 7);
                        value = "p50 " + Markdown.num(p50) + " \u00b7 p99 " + Markdown.num(p99) + " \u00b7 mean " + Markdown.num(r.score);
                    } else {
                        double v = gb ? r.gbPerSecond() : r.score, err = gb ? r.gbPerSecondError() : r.error;
                        bar(g, c, cy, v, scale);
                        if (!Double.isNaN(err) && err > 0) {
                            int lo = xOf(Math.max(0, v - err), scale), hi = xOf(v + err, scale);
                            g.setColor(TEXT);
                            g.drawLine(lo, cy, hi, cy);
                            g.drawLine(lo, cy - 4, lo, cy + 4);
                            if (v + err <= scale) {
                                g.drawLine(hi, cy - 4, hi, cy + 4);
                            } else { // clipped: an arrow head says it goes on
                                g.drawLine(hi, cy, hi - 5, cy - 4);
                                g.drawLine(hi, cy, hi - 5, cy + 4);
                            }
                        }
                        value = Markdown.num(v) + (Double.isNaN(err) ? "" : " \u00b1 " + Markdown.num(err)) + (gb ? " GB/s" : "");
                    }
                    g.setColor(TEXT);
                    g.setFont(small);
                    g.drawString(value, PLOT_X + PLOT_W + 12, cy + 4);
                    y += ROW_H;
                }
                y += 26;
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", png.toFile());
    }

    private static void bar(Graphics2D g, Color c, int cy, double v, double scale) {
        if (Double.isNaN(v)) return;
        g.setColor(c);
        g.fillRect(PLOT_X, cy - BAR_H / 2, Math.max(1, xOf(v, scale) - PLOT_X), BAR_H);
    }

    private static int xOf(double v, double scale) {
        return PLOT_X + (int) Math.round(Math.max(0, Math.min(v, scale)) / scale * PLOT_W);
    }

    /** The parameter that tells compared systems apart. */
    /** The legend's entries (the neutral one left out) in lines that fit the chart's width. */
    public static List<List<String>> legendLines(java.util.Collection<String> keys) {
        List<List<String>> lines = new ArrayList<>();
        List<String> line = new ArrayList<>();
        int x = LEFT;
        for (String k : keys) {
            if (k.isEmpty()) continue;
            int w = legendWidth(k);
            if (!line.isEmpty() && x + w > WIDTH - LEFT) {
                lines.add(line);
                line = new ArrayList<>();
                x = LEFT;
            }
            line.add(k);
            x += w;
        }
        if (!line.isEmpty()) lines.add(line);
        return lines;
    }

    /** Swatch, gap, the key at the legend's font (about 7.5 px a character at 13 pt sans), gap. */
    private static int legendWidth(String key) {
        return 20 + (int) Math.ceil(key.length() * 7.5) + 24;
    }

    static String colourKey(BenchResult r) {
        String t = r.params.get("transport");
        if (t != null) return "transport=" + t;
        String w = r.params.get("wire");
        return w != null ? "wire=" + w : "";
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) return m * p;
        }
        return 10 * p;
    }

    private static String fit(FontMetrics fm, String s, int width) {
        if (fm.stringWidth(s) <= width) return s;
        String e = "\u2026";
        while (s.length() > 1 && fm.stringWidth(s + e) > width) s = s.substring(0, s.length() - 1);
        return s + e;
    }
}
