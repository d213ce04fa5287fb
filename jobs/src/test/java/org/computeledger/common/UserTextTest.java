package org.computeledger.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** User text in what the ledger writes: never a formula, never markup. */
class UserTextTest {
  @Test
  void aCellStartingAFormulaGetsASingleQuote() {
    for (String s : new String[] {"=HYPERLINK(\"http://evil\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"}) {
      assertEquals("'" + s, UserText.cell(s));
    }
    assertEquals("atlas-pretrain", UserText.cell("atlas-pretrain"));
  }

  @Test
  void markdownShowsMarkupLiterallyOnOneLine() {
    assertEquals("\\[click\\](http://evil) \\*\\*x\\*\\* \\| \\<img src=x\\> \\`y\\`",
        UserText.markdown("[click](http://evil) **x** | <img src=x> `y`"));
    assertEquals("a b", UserText.markdown("a\nb"));
    assertEquals("2026\\. run", UserText.markdown("2026. run"));
    assertEquals("\\# not a heading", UserText.markdown("# not a heading"));
  }

  @Test
  void markdownAlsoNeutralisesFormulas() {
    assertEquals("'=1+2", UserText.markdown("=1+2"));
    assertEquals("'@here", UserText.markdown("@here"));
  }

  @Test
  void plainNamesAreUnchanged() {
    assertEquals("teacher-70b", UserText.markdown("teacher-70b"));
    assertEquals("(unattributed)", UserText.markdown("(unattributed)"));
    assertEquals("", UserText.markdown(null));
  }

  @Test
  void aCodeSpanCannotBeClosedFromInside() {
    assertEquals("`sample-logs`", UserText.code("sample-logs"));
    assertEquals("``a`b``", UserText.code("a`b"));
    assertEquals("`` `x ``", UserText.code("`x"));
    assertEquals("`a b`", UserText.code("a\nb"));
  }
}
