package io.foley4j.pipeline.sounds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The licence a Debian package's machine-readable copyright file (DEP-5) gives a file. Its {@code Files:} patterns
 * name paths in the upstream source tree ("mtg/mods/tnt/sounds/*"), not where the package installs them
 * (".../minetest_game/mods/tnt/sounds/..."), so a pattern matches an installed path when it, or it without its
 * first directory, matches a trailing run of whole path components; {@code *} spans directories and the last
 * matching stanza wins, as in DEP-5.
 */
public final class DebianCopyright {
    /** The licence reported when no stanza matches or the file has no copyright file. */
    public static final String UNKNOWN = "unknown";

    private record Stanza(List<Pattern> files, String license) {}

    private final List<Stanza> stanzas;

    private DebianCopyright(List<Stanza> stanzas) {
        this.stanzas = stanzas;
    }

    public static DebianCopyright parse(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static DebianCopyright parse(String text) {
        List<Stanza> out = new ArrayList<>();
        List<String> files = new ArrayList<>();
        String license = null, field = "";
        for (String line : (text + "\n\n").split("\n", -1)) {
            if (line.isBlank()) { // paragraph end
                if (!files.isEmpty() && license != null) {
                    List<Pattern> ps = new ArrayList<>();
                    for (String f : files) ps.addAll(patterns(f));
                    out.add(new Stanza(ps, license));
                }
                files.clear();
                license = null;
                field = "";
                continue;
            }
            boolean continuation = Character.isWhitespace(line.charAt(0));
            int colon = line.indexOf(':');
            if (!continuation && colon > 0) {
                field = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (field.equals("Files")) files.addAll(words(value));
                else if (field.equals("License")) license = value.isEmpty() ? UNKNOWN : value;
            } else if (continuation && field.equals("Files")) {
                files.addAll(words(line.trim()));
            }
        }
        return new DebianCopyright(out);
    }

    /** The licence of {@code path} (relative to the package's root, '/'-separated), or {@link #UNKNOWN}. */
    public String licenseOf(String path) {
        String found = UNKNOWN;
        for (Stanza s : stanzas) {
            for (Pattern p : s.files) {
                if (p.matcher(path).matches()) {
                    found = s.license;
                    break;
                }
            }
        }
        return found;
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.split("\\s+")) if (!w.isEmpty()) out.add(w);
        return out;
    }

    /** The pattern, and the pattern without its first directory when what remains still names a directory. */
    private static List<Pattern> patterns(String glob) {
        List<Pattern> out = new ArrayList<>();
        out.add(suffixRegex(glob));
        int slash = glob.indexOf('/');
        if (slash > 0 && glob.indexOf('/', slash + 1) > 0) out.add(suffixRegex(glob.substring(slash + 1)));
        return out;
    }

    private static Pattern suffixRegex(String glob) {
        StringBuilder re = new StringBuilder("(?:.*/)?");
        for (char c : glob.toCharArray()) {
            if (c == '*') re.append(".*");
            else if (c == '?') re.append('.');
            else re.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString());
    }
}
