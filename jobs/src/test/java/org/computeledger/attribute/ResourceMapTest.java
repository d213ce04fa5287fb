package org.computeledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.computeledger.common.LedgerException;
import org.junit.jupiter.api.Test;

class ResourceMapTest {
  private static List<ResourceMap.Entry> parse(String text) throws IOException {
    return ResourceMap.parse(new StringReader(text), "resources.csv");
  }

  @Test
  void sameIdMayNameDifferentHostsOneAfterTheOther() throws IOException {
    List<ResourceMap.Entry> e = parse("resource_id,host,valid_from,valid_to\n"
        + "i-0abc,node017,2026-03-01,2026-03-15T06:30:00Z\n"
        + "i-0abc,node018,2026-03-15T06:30:00Z,\n");
    assertEquals(2, e.size());
    assertEquals(Instant.parse("2026-03-01T00:00:00Z"), e.get(0).from());
    assertEquals("node018", e.get(1).host());
    assertNull(e.get(1).to(), "an empty bound is open");
  }

  @Test
  void validityColumnsAreOptionalAndNodeNamesTheHost() throws IOException {
    List<ResourceMap.Entry> e = parse("node,resource_id\nnode017,i-0abc\n");
    assertEquals("node017", e.get(0).host());
    assertNull(e.get(0).from());
  }

  @Test
  void oneIdOnTwoHostsAtOnceIsRefusedNamingBothLines() {
    LedgerException e = assertThrows(LedgerException.class, () -> parse("resource_id,host,valid_from,valid_to\n"
        + "i-0abc,node017,2026-03-01,2026-03-20\n"
        + "i-0abc,node018,2026-03-15,\n"));
    assertEquals("resources.csv line 3: i-0abc is mapped to node018 for a time it is already mapped to node017"
        + " (line 2)", e.getMessage());
  }

  @Test
  void badTimeNamesFileLineAndField() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse("resource_id,host,valid_from\ni-0abc,node017,15/03/2026\n"));
    assertEquals("resources.csv line 2: field valid_from: expected an ISO time with Z or an offset, or a date"
        + " YYYY-MM-DD, '15/03/2026'", e.getMessage());
  }

  @Test
  void headerWithoutHostIsRefused() {
    LedgerException e = assertThrows(LedgerException.class, () -> parse("resource_id,instance\ni-0abc,x\n"));
    assertEquals("resources.csv line 1: header needs the columns resource_id and host (optional: valid_from,"
        + " valid_to)", e.getMessage());
  }
}
