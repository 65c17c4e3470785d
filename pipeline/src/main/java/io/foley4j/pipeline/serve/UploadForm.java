package io.foley4j.pipeline.serve;

import io.foley4j.pipeline.foley.FoleyInputException;
import io.foley4j.pipeline.foley.GenerateOptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The parts of one {@code POST /generate}: the video streamed to a temporary file, the description and the options.
 * Whoever gets an UploadForm owns {@link #video} and deletes it; on any failure {@link #read} has deleted it already.
 */
record UploadForm(Path video, String videoName, String desc, GenerateOptions options) {
    static final int BUFFER_BYTES = 64 << 10;
    static final int MAX_HEADER_BYTES = 8 << 10;
    static final int MAX_PARTS = 16;
    /** Largest text part (desc and the numbers). */
    static final int MAX_TEXT_BYTES = 16 << 10;

    static UploadForm read(InputStream body, String contentType, Path tempDir, long maxBytes) throws IOException {
        String boundary = MultipartReader.formDataBoundary(contentType);
        if (boundary == null) {
            throw new HttpError(415, "expected multipart/form-data, got " + (contentType == null ? "no Content-Type" : "'" + contentType + "'"));
        }
        MultipartReader r = new MultipartReader(new Limited(body, maxBytes), boundary, BUFFER_BYTES, MAX_HEADER_BYTES, MAX_PARTS);
        Path video = null;
        try {
            String videoName = null, desc = null;
            GenerateOptions opt = GenerateOptions.defaults();
            Set<String> seen = new HashSet<>();
            byte[] chunk = new byte[BUFFER_BYTES];
            for (MultipartReader.Part p; (p = r.next()) != null; ) {
                if (!seen.add(p.name())) throw new HttpError(400, "part '" + p.name() + "' appears twice");
                switch (p.name()) {
                    case "video" -> {
                        video = Files.createTempFile(tempDir, "foley-upload-", ".video");
                        long n = 0;
                        try (OutputStream out = Files.newOutputStream(video)) {
                            for (int k; (k = r.read(chunk, 0, chunk.length)) >= 0; ) {
                                out.write(chunk, 0, k);
                                n += k;
                            }
                        }
                        if (n == 0) throw new FoleyInputException(FoleyInputException.Kind.CORRUPT_MEDIA, "video part is empty");
                        videoName = p.filename() == null || p.filename().isBlank() ? "video" : p.filename();
                    }
                    case "desc" -> desc = text(r, p.name());
                    case "steps" -> opt = opt.withSteps((int) integer(text(r, p.name()), p.name(), Integer.MIN_VALUE, Integer.MAX_VALUE));
                    case "cfg" -> opt = opt.withCfg(decimal(text(r, p.name()), p.name()));
                    case "seed" -> opt = opt.withSeed(integer(text(r, p.name()), p.name(), Long.MIN_VALUE, Long.MAX_VALUE));
                    case "seconds" -> opt = opt.withSeconds(decimal(text(r, p.name()), p.name()));
                    case "channels" -> opt = opt.withChannels((int) integer(text(r, p.name()), p.name(), Integer.MIN_VALUE, Integer.MAX_VALUE));
                    default -> throw new HttpError(400, "unknown part '" + p.name()
                            + "' (expected video, desc, steps, cfg, seed, seconds, channels)");
                }
            }
            if (video == null) throw new HttpError(400, "missing part 'video' (the video file)");
            if (desc == null) throw new HttpError(400, "missing part 'desc' (the sound description)");
            return new UploadForm(video, videoName, desc, opt);
        } catch (IOException | RuntimeException | Error e) {
            if (video != null) Files.deleteIfExists(video);
            throw e;
        }
    }

    /** A text part as strict UTF-8. */
    private static String text(MultipartReader r, String name) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        for (int k; (k = r.read(b, 0, b.length)) >= 0; ) {
            bytes.write(b, 0, k);
            if (bytes.size() > MAX_TEXT_BYTES) throw new HttpError(400, "part '" + name + "' is longer than " + MAX_TEXT_BYTES + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new HttpError(400, "part '" + name + "' is not UTF-8 text");
        }
    }

    private static long integer(String s, String name, long min, long max) {
        try {
            long v = Long.parseLong(s.trim());
            if (v < min || v > max) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new HttpError(400, "parameter '" + name + "': '" + clip(s) + "' is not an integer in range");
        }
    }

    private static double decimal(String s, String name) {
        try {
            double v = Double.parseDouble(s.trim());
            if (Double.isFinite(v)) return v;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new HttpError(400, "parameter '" + name + "': '" + clip(s) + "' is not a finite number");
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** Fails with 413 as soon as more than {@code max} bytes came in; the rest is never read. */
    private static final class Limited extends InputStream {
        private final InputStream in;
        private final long max;
        private long count;

        Limited(InputStream in, long max) {
            this.in = in;
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, max - count + 1));
            } catch (IOException e) {
                // The client, not the server, failed: a 400 without a stack trace.
                throw new MultipartException("the upload broke off after " + count + " bytes (" + e.getMessage() + ")");
            }
            if (n > 0) count += n;
            if (count > max) throw new HttpError(413, "request body is larger than " + max + " bytes");
            return n;
        }
    }
}
