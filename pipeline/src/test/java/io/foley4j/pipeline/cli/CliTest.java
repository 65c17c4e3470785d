package io.foley4j.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.pipeline.audio.Wav;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/foley's commands in-process: exit codes, JSON output, files written or not. */
class CliTest {
    @TempDir
    static Path dir;
    static Path home, video;

    @BeforeAll
    static void setUp() throws Exception {
        home = dir.resolve("home");
        Path library = Path.of(CliTest.class.getResource("/sounds/library").toURI());
        copyTree(library, home.resolve("sounds"));
        video = Path.of(CliTest.class.getResource("/video/baseline.mp4").toURI());
    }

    record Run(int code, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bo, true));
            System.setErr(new PrintStream(be, true));
            int code = Main.run(args);
            return new Run(code, bo.toString(), be.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void generateWritesTheTrackAndPrintsJson() throws Exception {
        Path out = dir.resolve("out.wav");
        Run r = run("generate", "--video", video.toString(), "--prompt", "glass breaking", "--out", out.toString(),
                "--home", home.toString(), "--json", "--threads", "2", "--precision", "fp32", "--stereo");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(48_000, j.get("sampleRate").asInt());
        assertEquals(2, j.get("channels").asInt());
        assertEquals(2.0, j.get("audioSeconds").asDouble(), 1e-9);
        assertTrue(j.get("stages").size() >= 4, r.out());
        assertTrue(j.get("peakRssBytes").asLong() > 0, "peak RSS from /proc/self/status: " + r.out());
        Wav.Audio a = Wav.read(out);
        assertEquals(96_000, a.frames());
    }

    @Test
    void badInputExitsWithTwoAndNamesTheProblem() throws Exception {
        Path out = dir.resolve("bad.wav");
        Path notVideo = Files.writeString(dir.resolve("notes.mp4"), "this is not a video");
        Run r = run("generate", "--video", notVideo.toString(), "--prompt", "knock", "--out", out.toString(),
                "--home", home.toString(), "--quiet");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("notes.mp4"), r.err());
        assertFalse(Files.exists(out));

        Run empty = run("generate", "--video", video.toString(), "--prompt", "", "--out", out.toString(),
                "--home", home.toString(), "--quiet");
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("prompt"), empty.err());

        Run missing = run("generate", "--video", dir.resolve("nope.mp4").toString(), "--prompt", "knock", "--out",
                out.toString(), "--home", home.toString(), "--quiet");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.mp4"), missing.err());

        Run badOpt = run("generate", "--video", video.toString(), "--prompt", "knock", "--out", out.toString(),
                "--cfg", "-3", "--home", home.toString());
        assertEquals(2, badOpt.code());
        assertTrue(badOpt.err().contains("cfg"), badOpt.err());

        Run badModel = run("generate", "--video", video.toString(), "--prompt", "knock", "--out", out.toString(),
                "--model", dir.toString(), "--home", home.toString());
        assertEquals(2, badModel.code());
        assertTrue(badModel.err().contains("FoleyNet"), badModel.err());

        Run unknown = run("generat");
        assertEquals(2, unknown.code());
        assertFalse(Files.exists(out));
    }

    @Test
    void helpListsTheCommandsAndHelpsOnEach() {
        Run r = run("help"); // the launcher's own usage line names it
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("generate") && r.out().contains("serve"), r.out());
        Run g = run("help", "generate");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().contains("--prompt"), g.out());
    }

    @Test
    void infoDescribesTheDefaultModel() {
        Run r = run("info", "default", "--home", home.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("recordings: 12 in"), r.out());            // the 12 committed clips
        assertTrue(r.out().contains("CC0-1.0"), r.out());
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
