package io.foley4j.pipeline.serve;

import io.foley4j.pipeline.video.VideoException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The status for the reasons VideoIndex and VideoFrames give. */
class VideoStatusTest {
    private static int status(String reason) {
        return FoleyServer.videoStatus(new VideoException(Path.of("/tmp/x.video"), reason).getMessage());
    }

    @Test
    void unsupportedFormatsAre415() {
        assertEquals(415, status("not a readable MP4/MOV file"));
        assertEquals(415, status("no 'moov' box: not an MP4/MOV file, or truncated before its index"));
        assertEquals(415, status("no video track (audio-only or empty file)"));
        assertEquals(415, status("unsupported codec 'hvc1' (only H.264 'avc1'/'avc3' is supported)"));
        assertEquals(415, status("interlaced H.264 (frame_mbs_only_flag = 0) is not supported"));
    }

    @Test
    void damagedFilesAre422() {
        assertEquals(422, status("empty file (0 bytes)"));
        assertEquals(422, status("frame 3 ends past the end of the file"));
        assertEquals(422, status("malformed MP4 sample tables"));
        assertEquals(422, status("frame 7 holds no picture (corrupt or missing slices)"));
        assertEquals(422, status("video track has zero frames"));
        assertEquals(422, FoleyServer.videoStatus(null));
    }
}
