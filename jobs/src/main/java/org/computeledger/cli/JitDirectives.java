package org.computeledger.cli;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Start-up of the launcher's JVM: installs the HotSpot compiler directives that scripts/ledger names in
 * {@code -Dledger.jitDirectives} (for a large ingest, scripts/ingest-c2.json: C2 only for the per-line
 * and per-row code). Installed through the DiagnosticCommand MBean (what {@code jcmd Compiler.directives_add}
 * does) rather than {@code -XX:CompilerDirectivesFile}: that flag needs diagnostic options unlocked and
 * prints a line on standard output.
 */
final class JitDirectives {
  static final String PROPERTY = "ledger.jitDirectives";

  private JitDirectives() {}

  /** Installs the named file's directives; a JVM without the command keeps its defaults (only speed differs). */
  static void install() {
    String file = System.getProperty(PROPERTY);
    if (file == null || file.isBlank()) {
      return;
    }
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
          new Object[] {new String[] {file}}, new String[] {String[].class.getName()});
    } catch (Exception | LinkageError e) {
      // a speed setting only: the run is the same without it
    }
  }
}
