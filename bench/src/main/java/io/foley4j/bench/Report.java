package io.foley4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The quick benchmark's output: tables printed row by row as they are measured (so a long run shows progress),
 * kept for a markdown copy, and a tally of each issue target (met only when every row that checks it is met).
 */
final class Report {
    static final String MET = "MET", MISSED = "MISSED";

    private final PrintStream out;
    private final List<String> markdown = new ArrayList<>();
    private final Map<String, int[]> targets = new LinkedHashMap<>(); // target -> {met, checked}
    private int[] widths;

    Report(PrintStream out) {
        this.out = out;
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** Free text: a heading line and lines under it (console and markdown). */
    void text(String title, String body) {
        out.println();
        out.println("== " + title);
        out.println(body);
        out.flush();
        markdown.add("## " + title);
        markdown.add("");
        markdown.add("```");
        markdown.add(body);
        markdown.add("```");
        markdown.add("");
    }

    void note(String line) {
        out.println(line);
        out.flush();
        markdown.add(line);
        markdown.add("");
    }

    /** Starts a table; {@code widths[i]} is column i's console width (negative: left-aligned). */
    void table(String title, int[] widths, String... header) {
        this.widths = widths;
        out.println();
        out.println("== " + title);
        line(header);
        markdown.add("## " + title);
        markdown.add("");
        markdown.add("| " + String.join(" | ", header) + " |");
        StringBuilder sep = new StringBuilder("|");
        for (int w : widths) {
            sep.append(w < 0 ? "---|" : "---:|");
        }
        markdown.add(sep.toString());
    }

    /** A row; when {@code target} is not null its last cell is MET/MISSED and counts toward {@code target}. */
    void row(String target, Boolean met, String... cells) {
        String[] all = cells;
        if (target != null) {
            all = java.util.Arrays.copyOf(cells, cells.length + 1);
            all[cells.length] = met == null ? "-" : met ? MET : MISSED;
            if (met != null) {
                int[] t = targets.computeIfAbsent(target, x -> new int[2]);
                t[0] += met ? 1 : 0;
                t[1]++;
            }
        }
        line(all);
        markdown.add("| " + String.join(" | ", all) + " |");
    }

    void endTable() {
        markdown.add("");
    }

    private void line(String[] cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            int w = i < widths.length ? widths[i] : 8;
            sb.append(String.format(Locale.ROOT, "%" + (w < 0 ? "-" + (-w) : w) + "s", cells[i])).append("  ");
        }
        out.println(sb.toString().stripTrailing());
        out.flush();
    }

    /** Prints the tally of each target checked in this run. */
    void targetSummary() {
        if (targets.isEmpty()) {
            return;
        }
        table("Targets", new int[] {-58, 9, 7}, "target", "rows met", "verdict");
        for (var e : targets.entrySet()) {
            int[] t = e.getValue();
            line(new String[] {e.getKey(), t[0] + "/" + t[1], t[0] == t[1] ? MET : MISSED});
            markdown.add("| " + e.getKey() + " | " + t[0] + "/" + t[1] + " | " + (t[0] == t[1] ? MET : MISSED) + " |");
        }
        endTable();
    }

    void writeMarkdown(Path file, String title) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        List<String> all = new ArrayList<>();
        all.add("# " + title);
        all.add("");
        all.addAll(markdown);
        Files.write(file, all);
    }
}
