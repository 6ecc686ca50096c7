"""Meeting folders (vergadermappen): meeting type → meeting → agenda item → documents."""
