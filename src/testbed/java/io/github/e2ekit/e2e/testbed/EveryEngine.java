package io.github.e2ekit.e2e.testbed;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the annotated test class once per engine on the machine (Docker, Podman; see
 * {@link TestEngine#engines()}); the class takes the engine as {@code @Parameter Engine}. The engines
 * are shared by all classes, so JUnit must not close them after an invocation (it closes
 * {@link AutoCloseable} arguments by default).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ParameterizedClass(name = "{0}", autoCloseArguments = false)
@MethodSource("io.github.e2ekit.e2e.testbed.TestEngine#engines")
public @interface EveryEngine {}
