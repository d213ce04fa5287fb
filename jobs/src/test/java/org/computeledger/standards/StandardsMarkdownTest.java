package org.computeledger.standards;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A user's standard file and registry names reach methodology.md as text, never as Markdown or formulas. */
class StandardsMarkdownTest {
  static final String TITLE = "[Click here](http://evil.example) <img src=x onerror=alert(1)>";

  @Test
  void aStandardsWordsAndTheProjectNamesShowLiterally() {
    String text = StandardParserTest.builtInText("paper-principles-1.0.yaml")
        .replace("title: Practical principles for AI cost and compute accounting (P1-P7)", "title: \"" + TITLE + "\"")
        .replace("  - P4 and P5 are met", "  - \"=HYPERLINK(\\\"http://evil\\\")\"\n  - P4 and P5 are met");
    Standard s = StandardParser.parse(text, "mine`.yaml");
    StandardTotals.TreatmentRow row = new StandardTotals.TreatmentRow(s.id(), s.version(), "atlas`|x", "atlas`|x/**b**",
        "atlas`|x", "**b**", "pretraining", "own", StandardTotals.EXCLUDED, "rule", "branch **b** | <b>x</b>", 1.0, 1.0,
        1.0, null, null);
    String md = StandardsReport.methodology(List.of(s), new StandardTotals.Result(List.of(), List.of(row)),
        LocalDate.of(2026, 3, 5));

    assertTrue(md.contains("### \\[Click here\\](http://evil.example) \\<img src=x onerror=alert(1)\\> (paper-principles"),
        md);
    assertFalse(java.util.regex.Pattern.compile("(?<!\\\\)<img").matcher(md).find(), "no unescaped tag");
    assertTrue(md.contains("- '=HYPERLINK(\"http://evil\")\n"), "a formula is neutralised");
    assertTrue(md.contains("File: ``mine`.yaml``."), "a code span the name cannot close");
    assertTrue(md.contains("``atlas`|x``:\n"), md);
    assertTrue(md.contains("excluded ``atlas`|x/**b**`` (1.0000e+00 FLOP): branch \\*\\*b\\*\\* \\| \\<b\\>x\\</b\\>"), md);
  }
}
