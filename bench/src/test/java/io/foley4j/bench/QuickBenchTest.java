package io.foley4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option parsing, section selection and the report's target tally (no timing). */
class QuickBenchTest {

    @Test
    void parsesOptionsAndSelectsSections() {
        QuickBench.Options o = QuickBench.Options.parse(new String[] {"--quick", "--threads", "3", "--only", "matmul,norm"});
        assertTrue(o.quick());
        assertEquals(3, o.threads());
        assertTrue(o.section("simd"), "a kernel family selects the simd section");
        assertTrue(o.section("ort") && o.section("gemm") && o.section("matvec"), "matmul selects the GEMM sections");
        assertFalse(o.section("peak"));
        assertTrue(o.family("norm"));
        assertFalse(o.family("conv"));
    }

    @Test
    void rejectsUnknownInput() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> QuickBench.Options.parse(new String[] {"--only", "matmul,fft"}));
        assertTrue(e.getMessage().contains("fft"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuickBench.Options.parse(new String[] {"--threads"}));
        assertThrows(IllegalArgumentException.class, () -> QuickBench.Options.parse(new String[] {"--threads", "0"}));
        assertThrows(IllegalArgumentException.class, () -> QuickBench.Options.parse(new String[] {"--fast"}));
    }

    @Test
    void targetIsMetOnlyWhenEveryCheckedRowIs(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Report r = new Report(new PrintStream(buf, true, StandardCharsets.UTF_8));
        r.table("t", new int[] {-4, 4, 6}, "op", "x", "target");
        r.row("A", true, "a", "1");
        r.row("A", false, "b", "2");
        r.row("B", true, "c", "3");
        r.row("B", null, "d", "4"); // not checked: does not count
        r.endTable();
        r.targetSummary();
        Path md = dir.resolve("out.md");
        r.writeMarkdown(md, "title");
        String text = Files.readString(md);
        assertTrue(text.contains("| A | 1/2 | MISSED |"), text);
        assertTrue(text.contains("| B | 1/1 | MET |"), text);
        assertTrue(text.contains("| d | 4 | - |"), text);
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("MISSED"));
    }
}
