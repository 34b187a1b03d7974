package io.rollupboost.config;

import io.rollupboost.auth.AdminToken;
import io.rollupboost.auth.JwtSecret;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A readable file holding a 32-byte hex JWT secret. The violation message names the problem, never
 * the file's content.
 */
@Documented
@Constraint(validatedBy = SecretFile.Validator.class)
@Target({
  ElementType.FIELD,
  ElementType.METHOD,
  ElementType.PARAMETER,
  ElementType.RECORD_COMPONENT
})
@Retention(RetentionPolicy.RUNTIME)
public @interface SecretFile {
  String message() default "is not a valid secret file";

  /** True for an opaque bearer token (any 16+ printable characters) instead of a JWT secret. */
  boolean token() default false;

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Reads and parses the file. */
  final class Validator implements ConstraintValidator<SecretFile, String> {
    private boolean token;

    @Override
    public void initialize(SecretFile annotation) {
      token = annotation.token();
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      if (value == null) {
        return true;
      }
      if (value.isBlank()) {
        return violation(
            context, "is empty (an empty environment variable?); remove the key or name a file");
      }
      try {
        if (token) {
          AdminToken.read(Path.of(value));
        } else {
          JwtSecret.read(Path.of(value));
        }
        return true;
      } catch (JwtSecret.InvalidSecretException e) {
        return violation(context, e.getMessage());
      } catch (InvalidPathException unused) {
        // Its message quotes the whole value, which may be a secret pasted in place of a path.
        return violation(context, "is not a valid file path");
      }
    }

    private static boolean violation(ConstraintValidatorContext context, String message) {
      context.disableDefaultConstraintViolation();
      context.buildConstraintViolationWithTemplate(escape(message)).addConstraintViolation();
      return false;
    }

    /** Keeps file names from being read as message-template expressions. */
    private static String escape(String message) {
      return message
          .replace("\\", "\\\\")
          .replace("{", "\\{")
          .replace("}", "\\}")
          .replace("$", "\\$");
    }
  }
}
