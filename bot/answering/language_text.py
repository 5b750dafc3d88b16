"""The interface strings and greetings of the languages the bot recognises (our translations).

NOTICES says what the bot can do and that it answers in English from the English statement;
GREETINGS are the words a greeting opens with. The glossaries that read a message are in `glossary.py`.
"""

from __future__ import annotations

NOTICES: dict[str, dict[str, str]] = {
    "fi": {
        "notice": (
            "Vastaan vain englanniksi ja englanninkielisen tietosuojaselosteen perusteella. Voin kertoa, mitä "
            "henkilötietoja myKONE-portaali kerää ja miksi, kuinka kauan niitä säilytetään sekä evästeistä, "
            "tiedonsiirroista ja oikeuksistasi, ja autan sinua pyytämään tietojesi poistoa, korjausta tai kopiota, "
            "vastustamaan käsittelyä tai suoramarkkinointia, perumaan suostumuksen tai tavoittamaan ihmisen."
        ),
        "answer_follows": "Tässä vastaus englanniksi:",
        "write_in_english": "Kirjoita kysymyksesi englanniksi, niin autan mielelläni.",
    },
    "sv": {
        "notice": (
            "Jag svarar bara på engelska och utifrån den engelska integritetspolicyn. Jag kan berätta vilka "
            "personuppgifter myKONE-portalen samlar in och varför, hur länge de sparas, om kakor, överföringar och "
            "dina rättigheter, och hjälpa dig att radera, rätta eller få en kopia av dina uppgifter, invända mot "
            "behandling eller direktmarknadsföring, återkalla ett samtycke eller nå en person."
        ),
        "answer_follows": "Här är svaret på engelska:",
        "write_in_english": "Skriv gärna din fråga på engelska, så hjälper jag dig.",
    },
    "de": {
        "notice": (
            "Ich antworte nur auf Englisch und auf Grundlage der englischen Datenschutzerklärung. Ich kann "
            "erklären, welche personenbezogenen Daten das myKONE-Portal erhebt und warum, wie lange sie gespeichert "
            "werden und was für Cookies, Übermittlungen und Ihre Rechte gilt, und Ihnen helfen, Ihre Daten löschen "
            "oder berichtigen zu lassen oder eine Kopie anzufordern, der Verarbeitung oder Direktwerbung zu "
            "widersprechen, eine Einwilligung zu widerrufen oder eine Person zu erreichen."
        ),
        "answer_follows": "Hier ist die Antwort auf Englisch:",
        "write_in_english": "Bitte schreiben Sie Ihre Frage auf Englisch, dann helfe ich gern.",
    },
    "fr": {
        "notice": (
            "Je réponds uniquement en anglais, à partir de la déclaration de confidentialité en anglais. Je peux "
            "expliquer quelles données personnelles le portail myKONE collecte et pourquoi, combien de temps elles "
            "sont conservées, ce qu'il en est des cookies, des transferts et de vos droits, et vous aider à faire "
            "supprimer ou corriger vos données ou à en obtenir une copie, à vous opposer au traitement ou à la "
            "prospection commerciale, à retirer un consentement ou à joindre une personne."
        ),
        "answer_follows": "Voici la réponse en anglais :",
        "write_in_english": "Écrivez votre question en anglais et je vous aiderai volontiers.",
    },
    "es": {
        "notice": (
            "Solo respondo en inglés y a partir de la declaración de privacidad en inglés. Puedo explicar qué datos "
            "personales recoge el portal myKONE y por qué, cuánto tiempo se conservan, y qué ocurre con las "
            "cookies, las transferencias y sus derechos, y ayudarle a eliminar o corregir sus datos u obtener una "
            "copia, oponerse al tratamiento o al marketing directo, retirar un consentimiento o hablar con una "
            "persona."
        ),
        "answer_follows": "Esta es la respuesta en inglés:",
        "write_in_english": "Escriba su pregunta en inglés y le ayudaré con gusto.",
    },
}

GREETINGS: dict[str, frozenset[str]] = {
    "fi": frozenset({"hei", "moi", "moikka", "terve", "huomenta", "päivää", "iltaa", "moro"}),
    "sv": frozenset({"hej", "hejsan", "tjena", "hallå", "godmorgon", "goddag"}),
    "de": frozenset({"hallo", "servus", "moin", "guten", "grüezi", "grüß"}),
    "fr": frozenset({"bonjour", "salut", "bonsoir", "coucou"}),
    "es": frozenset({"hola", "buenos", "buenas", "saludos"}),
}
