package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.computeledger.attribute.Registry;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.estimate.PeakCatalog;
import org.computeledger.ingest.IngestParams;
import org.junit.jupiter.api.Test;

/** The input's words in methodology.md (developer, model names as logged, the input path) show literally. */
class MethodologyMarkdownTest {
  @Test
  void namesFromTheInputCannotBecomeMarkupOrFormulas() {
    String md = Methodology.render(new Methodology.Facts(IngestParams.defaults(), EstimateParams.defaults(),
        PeakCatalog.load(), new Registry("**Evil** <script>x</script>", List.of()), List.of(), List.of(), List.of(),
        Map.of("=cmd|' /C calc'!A0", "h100-sxm", "H100 | [x](http://e)", "h100-sxm"), 0, "logs`\n# injected", false,
        new Methodology.Overlaps(0L, 0L, 0, 0, 0)));

    assertTrue(md.contains("money spent by \\*\\*Evil\\*\\* \\<script\\>x\\</script\\>, made by"), md);
    assertFalse(md.contains("<script>"));
    assertTrue(md.contains("| '=cmd\\|' /C calc'\\!A0 | h100-sxm |"), md);
    assertTrue(md.contains("| H100 \\| \\[x\\](http://e) | h100-sxm |"), md);
    assertTrue(md.contains("from ``logs` # injected``."), md);
    assertFalse(md.contains("\n# injected"));
  }
}
