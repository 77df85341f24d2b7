"""Greeting components for the greeter tutorial: one per language, chosen by a factory."""
from isce.framework import Component, ConfigurationError, Parameter


class Greeting(Component):
    """Composes a greeting sentence in one language."""

    family = "greeting"
    parameters = (
        Parameter("word", public_name="greeting word", type=str, default="Hello",
                  doc="The word that opens the greeting."),
        Parameter("punctuation", type=str, default="!", doc="What ends the sentence."),
        Parameter("shout", type=bool, default=False, doc="Write the greeting in capitals."),
    )
    template = "{word}, {name}{punctuation}"

    def compose(self, name: str) -> str:
        text = self.template.format(word=self.word, name=name, punctuation=self.punctuation)
        return text.upper() if self.shout else text


class English(Greeting):
    """Hello, <name>!"""


class Spanish(Greeting):
    """¡Hola, <name>!"""

    parameters = (Parameter("word", public_name="greeting word", type=str, default="Hola",
                            doc="The word that opens the greeting."),)
    template = "¡{word}, {name}{punctuation}"


class French(Greeting):
    """Bonjour, <name> !  (French puts a space before the exclamation mark.)"""

    parameters = (Parameter("word", public_name="greeting word", type=str, default="Bonjour",
                            doc="The word that opens the greeting."),)
    template = "{word}, {name} {punctuation}"


LANGUAGES = {"english": English, "spanish": Spanish, "french": French}


def language(name: str) -> Greeting:
    """Factory of the ``greeting`` facility: the Greeting of a language (instance name = language)."""
    try:
        return LANGUAGES[name](name=name)
    except KeyError:
        raise ConfigurationError(f"no greeting for language {name!r}") from None
